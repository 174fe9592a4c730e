package ticket_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A merge asked again once it is done (its answer lost) is no change,
// whatever the versions the retry names (those before the merge); a merge
// of the tombstone into another ticket, or into a primary merged on
// since, is still refused.
func TestARetriedMergeIsNoChange(t *testing.T) {
	p, s := owned(t), owned(t)
	s.ID = "8"
	c, err := ticket.MergeChecked(p, s, p.Version, s.Version, "ann", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	np, ns := *c.Tickets[0].After, *c.Tickets[1].After
	if !ticket.MergedAlready(np, ns) {
		t.Fatal("MergedAlready: false for the merge just decided")
	}
	if _, err := ticket.MergeChecked(np, ns, p.Version, s.Version, "ann", t0.Add(2*time.Hour)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("the retry, with the versions it saw before the merge: %v, want ErrNoChange", err)
	}
	if _, err := ticket.Merge(np, ns, "bob", t0.Add(2*time.Hour)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("the retry without versions: %v, want ErrNoChange", err)
	}
	other := owned(t)
	other.ID = "9"
	if _, err := ticket.Merge(other, ns, "ann", t0); helpdesk.ErrorReason(err) != "already_merged" {
		t.Fatalf("the tombstone into another ticket: %v, want already_merged", err)
	}
	on := np
	on.State, on.MergedInto = helpdesk.StateMerged, "9"
	if _, err := ticket.Merge(on, ns, "ann", t0); helpdesk.ErrorReason(err) != "already_merged" {
		t.Fatalf("into a primary merged on since: %v, want already_merged", err)
	}
	if _, err := ticket.Merge(ns, np, "ann", t0); helpdesk.ErrorReason(err) != "already_merged" {
		t.Fatalf("the other way round: %v, want already_merged", err)
	}
}

// An unmerge asked again once it is done finds the ticket it came out of
// in the secondary's own timeline; a ticket never merged, merged again
// since, or that was the primary, is not_merged as before.
func TestARetriedUnmergeFindsTheTicketItCameFrom(t *testing.T) {
	p, s := owned(t), owned(t)
	s.ID = "8"
	mc, err := ticket.Merge(p, s, "ann", t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	uc, err := ticket.Unmerge(*mc.Tickets[0].After, *mc.Tickets[1].After, nil, "bob", t0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	up, us := *uc.Tickets[0].After, *uc.Tickets[1].After
	secondary := helpdesk.Conversation{Ticket: us, Activities: []helpdesk.Activity{mc.Activities[1], uc.Activities[1]}}
	if from, err := ticket.UnmergedFrom(secondary); err != nil || from != "7" {
		t.Fatalf("the unmerged ticket: %q %v, want 7", from, err)
	}
	// The timeline in another order: the latest still decides.
	swapped := secondary
	swapped.Activities = []helpdesk.Activity{uc.Activities[1], mc.Activities[1]}
	if from, err := ticket.UnmergedFrom(swapped); err != nil || from != "7" {
		t.Fatalf("the timeline unsorted: %q %v, want 7", from, err)
	}

	// A ticket X merged into the secondary and taken out again: those are
	// X's merge and unmerge, not the secondary's own.
	xm := helpdesk.Activity{ID: "a1", TicketID: "8", Kind: helpdesk.ActivityMerged, From: "5", To: "8", At: t0}
	xu := helpdesk.Activity{ID: "a2", TicketID: "8", Kind: helpdesk.ActivityUnmerged, From: "8", To: "5", At: t0.Add(time.Minute)}
	xOwn := helpdesk.Activity{ID: "a3", TicketID: "5", Kind: helpdesk.ActivityUnmerged, From: "8", To: "5", At: t0.Add(time.Minute)}
	again := us
	again.State, again.MergedInto = helpdesk.StateMerged, "9"
	for _, tc := range []struct {
		name string
		conv helpdesk.Conversation
	}{
		{"never merged", helpdesk.Conversation{Ticket: s}},
		{"only tickets merged into it were", helpdesk.Conversation{Ticket: s, Activities: []helpdesk.Activity{xm, xu, xOwn}}},
		{"the primary", helpdesk.Conversation{Ticket: up, Activities: []helpdesk.Activity{mc.Activities[0], uc.Activities[0]}}},
		{"merged again since", helpdesk.Conversation{Ticket: again, Activities: append(slices.Clone(secondary.Activities),
			helpdesk.Activity{ID: "z", TicketID: "8", Kind: helpdesk.ActivityMerged, From: "8", To: "9", At: t0.Add(3 * time.Hour)})}},
	} {
		if from, err := ticket.UnmergedFrom(tc.conv); helpdesk.ErrorReason(err) != "not_merged" || helpdesk.ErrorCode(err) != helpdesk.EConflict {
			t.Errorf("%s: %q %v, want 409 not_merged", tc.name, from, err)
		}
	}
}

// splitDone is threeMails after bob split m-a2 and the note off into
// ticket 8 ("Billing"): the old ticket's conversation and the new one's.
func splitDone(t *testing.T) (old, off helpdesk.Conversation, in ticket.SplitInput) {
	t.Helper()
	conv := threeMails()
	in = ticket.SplitInput{ID: "8", MessageIDs: []string{"m-a2", "m-n1"}, Subject: " Billing ", AgentID: "bob", Channel: mail, Version: 6}
	c, err := ticket.Split(conv, in, pipes, t0.Add(5*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	old = helpdesk.Conversation{Ticket: *c.Tickets[1].After, Activities: []helpdesk.Activity{c.Activities[0]}}
	off = helpdesk.Conversation{Ticket: *c.Tickets[0].After, Activities: []helpdesk.Activity{c.Activities[1]}}
	for _, m := range conv.Messages {
		if slices.Contains(in.MessageIDs, m.ID) {
			off.Messages = append(off.Messages, ticket.Move{Message: m, To: "8"}.Moved())
		} else {
			old.Messages = append(old.Messages, m)
		}
	}
	return old, off, in
}

// A split asked again once it is done (its messages gone to the ticket
// split off) finds that ticket, whatever the version it names; any other
// request is not that split and Split refuses it as before.
func TestARetriedSplitFindsTheTicketSplitOff(t *testing.T) {
	old, off, in := splitDone(t)
	if offs := ticket.SplitOffs(old, in); !slices.Equal(offs, []string{"8"}) {
		t.Fatalf("SplitOffs %v, want [8]", offs)
	}
	if !ticket.SplitDone(old, off, in) {
		t.Fatal("the retry (the version it names is from before the split): not found done")
	}
	// Split itself still refuses it (here without the old version, which it
	// would refuse first): the application asks SplitDone before it.
	unversioned := in
	unversioned.Version = 0
	if _, err := ticket.Split(old, unversioned, pipes, t0.Add(6*time.Hour)); helpdesk.ErrorReason(err) != "unknown_messages" {
		t.Fatalf("Split of the moved messages: %v", err)
	}

	for _, tc := range []struct {
		name string
		f    func(old, off *helpdesk.Conversation, in *ticket.SplitInput)
	}{
		{"one message still here", func(_, _ *helpdesk.Conversation, in *ticket.SplitInput) { in.MessageIDs = []string{"m-a2", "m-a3"} }},
		{"another agent's split", func(_, _ *helpdesk.Conversation, in *ticket.SplitInput) { in.AgentID = "ann" }},
		{"another subject", func(_, _ *helpdesk.Conversation, in *ticket.SplitInput) { in.Subject = "Refund" }},
		{"a message that never was", func(_, _ *helpdesk.Conversation, in *ticket.SplitInput) { in.MessageIDs = []string{"m-a2", "m-zz"} }},
		{"a message moved on since", func(_, off *helpdesk.Conversation, _ *ticket.SplitInput) { off.Messages = off.Messages[:1] }},
		{"a message of a ticket merged into the new one", func(_, off *helpdesk.Conversation, _ *ticket.SplitInput) {
			off.Messages[1].TicketID = "5"
		}},
		{"no split recorded", func(old, _ *helpdesk.Conversation, _ *ticket.SplitInput) { old.Activities = nil }},
		{"a split into another ticket", func(old, _ *helpdesk.Conversation, _ *ticket.SplitInput) { old.Activities[0].To = "9" }},
	} {
		o, f, i := old, off, in
		o.Activities, f.Messages, i.MessageIDs = slices.Clone(old.Activities), slices.Clone(off.Messages), slices.Clone(in.MessageIDs)
		tc.f(&o, &f, &i)
		if ticket.SplitDone(o, f, i) {
			t.Errorf("%s: taken for the split done", tc.name)
		}
		i.Version = 0
		if _, err := ticket.Split(o, i, pipes, t0.Add(6*time.Hour)); helpdesk.ErrorReason(err) != "unknown_messages" {
			t.Errorf("%s: Split answered %v, want unknown_messages as before", tc.name, err)
		}
	}
	// One message still here: no ticket to look in at all.
	partial := in
	partial.MessageIDs = []string{"m-a2", "m-a3"}
	if offs := ticket.SplitOffs(old, partial); offs != nil {
		t.Errorf("SplitOffs with m-a3 still here: %v, want none", offs)
	}
	// Of several splits, the latest first, the same ticket once.
	more := old
	more.Activities = append(slices.Clone(old.Activities),
		helpdesk.Activity{ID: "x1", TicketID: "7", Kind: helpdesk.ActivitySplit, ActorID: "bob", From: "7", To: "10", At: t0.Add(7 * time.Hour)},
		helpdesk.Activity{ID: "x2", TicketID: "7", Kind: helpdesk.ActivitySplit, ActorID: "ann", From: "7", To: "11", At: t0.Add(8 * time.Hour)},
		helpdesk.Activity{ID: "x3", TicketID: "7", Kind: helpdesk.ActivitySplit, ActorID: "bob", From: "7", To: "8", At: t0.Add(9 * time.Hour)})
	if offs := ticket.SplitOffs(more, in); !slices.Equal(offs, []string{"8", "10"}) {
		t.Errorf("SplitOffs of several splits: %v, want [8 10]", offs)
	}
}
