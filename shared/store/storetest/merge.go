package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// An unmerge's message moves (Change.Moves): a message that arrived on the
// merged ticket through the secondary's thread leaves the primary's
// partition for the secondary's, with the tickets and keys, all at once;
// a move of a message no longer where it was is refused as a changed
// version and writes nothing.
func testUnmergeMovesMessages(t *testing.T, f *fixture) {
	f.open("p", "p@example.com", T0, "key-p")
	f.open("s", "s@example.com", T0, "key-s")
	c, err := ticket.Merge(f.header("p"), f.header("s"), "ann", T0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.commit(c)
	at := T0.Add(2 * time.Hour)
	late := helpdesk.Message{ID: "m-late", Direction: helpdesk.Inbound, ChannelID: formChannel.ID, ChannelKind: helpdesk.ChannelForm,
		ProviderMessageID: "pm-late", Text: "late", CreatedAt: at, ThreadKey: "key-s", OwnKeys: []string{"key-late"}}
	lateKey := store.DedupeKey(formChannel.ID, "pm-late")
	f.change("p", func(t helpdesk.Ticket) (ticket.Change, error) {
		c, err := ticket.Append(t, late, "email#s@example.com", []string{"key-late"}, nil, f.set, at)
		c.Dedupe = &ticket.Dedupe{Key: lateKey, TicketID: "p", MessageID: "m-late"}
		return c, err
	})
	for _, m := range f.conv("p").Messages {
		if m.ID == "m-late" {
			late = m
		}
	}
	if late.TicketID != "p" || f.owner("key-late") != "p" {
		t.Fatalf("the late message: %+v, key-late leads to %q", late, f.owner("key-late"))
	}

	un, err := ticket.Unmerge(f.header("p"), f.header("s"), []helpdesk.Message{late}, "ann", T0.Add(3*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(un.Moves) != 1 {
		t.Fatalf("moves %+v, want the late message", un.Moves)
	}
	gone := un
	gone.Moves = []ticket.Move{{Message: helpdesk.Message{ID: "m-none", TicketID: "p", CreatedAt: at}, To: "s"}}
	wantErr(t, "moving a message that is not there", f.st.Commit(f.ctx, gone), store.ErrVersionChanged)
	if f.header("s").State != helpdesk.StateMerged || f.owner("key-s") != "p" {
		t.Fatal("a refused unmerge wrote")
	}
	f.commit(un)
	if got := ids(f.conv("s").Messages); !slices.Equal(got, []string{"m-s", "m-late"}) {
		t.Fatalf("s's conversation %v, want m-s and m-late", got)
	}
	if got := ids(f.conv("p").Messages); !slices.Equal(got, []string{"m-p"}) {
		t.Fatalf("p's conversation %v, want m-p", got)
	}
	if m := f.conv("s").Messages[1]; m.TicketID != "s" || m.Text != "late" || m.ThreadKey != "key-s" {
		t.Fatalf("the moved message: %+v", m)
	}
	for k, want := range map[string]string{"key-p": "p", "key-s": "s", "key-late": "s"} {
		if owner := f.owner(k); owner != want {
			t.Fatalf("%s leads to %q, want %s", k, owner, want)
		}
	}
	if p, s := f.header("p"), f.header("s"); p.MessageCount != 1 || s.MessageCount != 2 || s.State != helpdesk.StateOpen || len(p.MergedFrom) != 0 {
		t.Fatalf("after the unmerge: p %+v, s %+v", p, s)
	}
	// Its dedupe record followed it: a redelivery names s, and a later
	// edit of or reaction to it (FindMessage) finds it there.
	if d, err := f.st.FindDedupe(f.ctx, lateKey); err != nil || d.TicketID != "s" || d.MessageID != "m-late" {
		t.Fatalf("the moved message's dedupe record: %+v, %v", d, err)
	}
	if ref, err := f.st.FindMessage(f.ctx, formChannel.ID, formChannel.ID, "pm-late"); err != nil || ref.TicketID != "s" || ref.MessageID != "m-late" || !ref.CreatedAt.Equal(at) {
		t.Fatalf("FindMessage of the moved message: %+v, %v", ref, err)
	}
}
