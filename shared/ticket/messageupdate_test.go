package ticket_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Edits keep the previous texts, bounded, and apply once and in order.
func TestReviseEdits(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	m := helpdesk.Message{ID: "m", Text: "v0"}
	for i := 1; i <= ticket.MaxEdits+3; i++ {
		next, changed := ticket.Revise(m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: fmt.Sprint("v", i), NumEdit: i}, "c", t0.Add(time.Duration(i)*time.Minute))
		if !changed || next.Text != fmt.Sprint("v", i) {
			t.Fatalf("edit %d: %+v", i, next)
		}
		m = next
	}
	if len(m.Edits) != ticket.MaxEdits || m.Edits[0].Text != "v3" || m.Edits[len(m.Edits)-1].Text != fmt.Sprint("v", ticket.MaxEdits+2) {
		t.Fatalf("kept edits: %+v", m.Edits)
	}
	if _, changed := ticket.Revise(m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: "late", NumEdit: 0}, "c", t0); changed {
		t.Fatal("an edit older than the last one applied")
	}
	if _, changed := ticket.Revise(m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: m.Text}, "c", t0.Add(time.Hour)); changed {
		t.Fatal("an edit to the same text changed the message")
	}
}

// One reaction per reactor: set, replaced, withdrawn (kept as withdrawn, so
// an older reaction delivered late stays out); others' are kept.
func TestReviseReactions(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	react := func(emoji string) helpdesk.MessageUpdate {
		return helpdesk.MessageUpdate{Kind: helpdesk.UpdateReact, Emoji: emoji, Reaction: "other"}
	}
	m := helpdesk.Message{ID: "m"}
	var changed bool
	m, _ = ticket.Revise(m, react("❤"), "a", t0)
	m, _ = ticket.Revise(m, react("👍"), "b", t0.Add(time.Second))
	m, _ = ticket.Revise(m, react("😮"), "a", t0.Add(2*time.Second))
	if len(m.Reactions) != 2 || m.Reactions[0].By != "b" || m.Reactions[1].Emoji != "😮" {
		t.Fatalf("reactions: %+v", m.Reactions)
	}
	if _, changed = ticket.Revise(m, react("😮"), "a", t0.Add(3*time.Second)); changed {
		t.Fatal("the same reaction again changed the message")
	}
	m, changed = ticket.Revise(m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateUnreact}, "a", t0.Add(4*time.Second))
	if !changed || len(m.Reactions) != 2 || !m.Reactions[1].Removed || m.Reactions[1].Emoji != "" {
		t.Fatalf("after unreact: %+v", m.Reactions)
	}
	if _, changed = ticket.Revise(m, react("❤"), "a", t0); changed {
		t.Fatal("an older reaction brought a withdrawn one back")
	}
	if m, changed = ticket.Revise(m, react("❤"), "a", t0.Add(time.Minute)); !changed || m.Reactions[1].Removed {
		t.Fatalf("a new reaction after withdrawing: %+v", m.Reactions)
	}
}
