package desk_test

import (
	"errors"
	"reflect"
	"strconv"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// snapshot is what a retry must leave as it was: the tickets'
// conversations (ticket, messages, timeline) and the agents' loads.
type snapshot struct {
	convs    map[string]helpdesk.Conversation
	ann, bob int
}

func (f *fixture) snapshot(t *testing.T, ids ...string) snapshot {
	t.Helper()
	s := snapshot{convs: map[string]helpdesk.Conversation{}}
	for _, id := range ids {
		s.convs[id] = f.ticket(t, id)
	}
	s.ann, s.bob = f.loads(t)
	return s
}

// unchanged fails t when any of before's tickets or loads changed since.
func (f *fixture) unchanged(t *testing.T, what string, before snapshot) {
	t.Helper()
	ids := make([]string, 0, len(before.convs))
	for id := range before.convs {
		ids = append(ids, id)
	}
	after := f.snapshot(t, ids...)
	for id, c := range before.convs {
		if !reflect.DeepEqual(after.convs[id], c) {
			t.Errorf("%s changed ticket %s:\n got %+v\nwant %+v", what, id, after.convs[id], c)
		}
	}
	if after.ann != before.ann || after.bob != before.bob {
		t.Errorf("%s changed the loads: ann %d bob %d, were %d and %d", what, after.ann, after.bob, before.ann, before.bob)
	}
}

// A merge retried once it is done (the same request, with the versions
// the agent saw before it) answers the primary as it is and writes
// nothing; merging the tombstone into another ticket is still refused.
func TestARetriedMergeAnswersThePrimaryAndWritesNothing(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		primary, secondary, other := f.newTicket(t, "alpha"), f.newTicket(t, "beta"), f.newTicket(t, "gamma")
		p, s := f.ticket(t, primary).Ticket, f.ticket(t, secondary).Ticket
		req := desk.MergeRequest{Primary: primary, Secondary: secondary, PrimaryVersion: p.Version, SecondaryVersion: s.Version, Actor: "ann"}
		first, err := f.svc.MergeTickets(f.ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		before := f.snapshot(t, primary, secondary, other)
		again, err := f.svc.MergeTickets(f.ctx, req)
		if err != nil {
			t.Fatalf("the retry: %v", err)
		}
		if !reflect.DeepEqual(again, first) {
			t.Fatalf("the retry answered %+v, the merge %+v", again, first)
		}
		f.unchanged(t, "the retried merge", before)

		_, err = f.svc.Merge(f.ctx, other, secondary, "ann")
		if mc, ok := desk.AsMergeConflict(err); !ok || helpdesk.ErrorReason(err) != "already_merged" || mc.Secondary.MergedInto != primary {
			t.Fatalf("merging the tombstone into another ticket: %v", err)
		}
		f.unchanged(t, "the refused merge", before)
	})
}

// An unmerge retried once it is done (with the If-Match version the agent
// saw on the tombstone) answers both tickets as they are and writes
// nothing; a ticket never merged, and the primary, are still not_merged.
func TestARetriedUnmergeAnswersBothTicketsAndWritesNothing(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		primary, secondary, never := f.newTicket(t, "alpha"), f.newTicket(t, "beta"), f.newTicket(t, "gamma")
		if _, err := f.svc.Merge(f.ctx, primary, secondary, "ann"); err != nil {
			t.Fatal(err)
		}
		tomb := f.ticket(t, secondary).Ticket
		p1, s1, err := f.svc.Unmerge(f.ctx, secondary, tomb.Version, "bob")
		if err != nil {
			t.Fatal(err)
		}
		before := f.snapshot(t, primary, secondary, never)
		p2, s2, err := f.svc.Unmerge(f.ctx, secondary, tomb.Version, "bob")
		if err != nil {
			t.Fatalf("the retry: %v", err)
		}
		if !reflect.DeepEqual(p2, before.convs[primary].Ticket) || !reflect.DeepEqual(s2, before.convs[secondary].Ticket) ||
			p2.ID != p1.ID || s2.ID != s1.ID || s2.Version != s1.Version || p2.Version != p1.Version {
			t.Fatalf("the retry answered %+v and %+v, the unmerge %+v and %+v", p2, s2, p1, s1)
		}
		f.unchanged(t, "the retried unmerge", before)
		if p3, s3, err := f.svc.Unmerged(f.ctx, secondary); err != nil || p3.ID != primary || s3.ID != secondary {
			t.Fatalf("Unmerged: %s %s %v", p3.ID, s3.ID, err)
		}
		for _, id := range []string{never, primary} {
			if _, _, err := f.svc.Unmerge(f.ctx, id, 0, "bob"); helpdesk.ErrorReason(err) != "not_merged" {
				t.Errorf("unmerging %s: %v, want not_merged", id, err)
			}
		}
		f.unchanged(t, "the refused unmerges", before)
	})
}

// A split retried once it is done (the same request, its If-Match from
// before the split) answers the ticket split off and the old one as they
// are, takes no ticket number and writes nothing; a split of the same
// mail by another agent, with another subject, or with a message still in
// the ticket is refused as before.
func TestARetriedSplitAnswersTheTicketSplitOffAndWritesNothing(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := mailFixture(t, backend)
		old := f.mail(t, "a1@example.com", "").TicketID
		f.mail(t, "a2@example.com", "a1@example.com")
		f.mail(t, "a3@example.com", "a2@example.com")
		f.mail(t, "a4@example.com", "a3@example.com")
		conv := f.ticket(t, old)
		a1, a2, a3, a4 := conv.Messages[0].ID, conv.Messages[1].ID, conv.Messages[2].ID, conv.Messages[3].ID
		req := desk.SplitRequest{TicketID: old, Version: conv.Ticket.Version, MessageIDs: []string{a2, a3}, Subject: "Second order", AgentID: "ann"}
		first, err := f.svc.Split(f.ctx, req)
		if err != nil || first.Again {
			t.Fatalf("split: %+v %v", first, err)
		}
		before := f.snapshot(t, old, first.Ticket.ID)
		again, err := f.svc.Split(f.ctx, req)
		if err != nil {
			t.Fatalf("the retry: %v", err)
		}
		if !again.Again || !reflect.DeepEqual(again.Ticket, first.Ticket) || !reflect.DeepEqual(again.Source, first.Source) {
			t.Fatalf("the retry answered\n%+v\n%+v\nthe split\n%+v\n%+v", again.Ticket, again.Source, first.Ticket, first.Source)
		}
		f.unchanged(t, "the retried split", before)

		// The retry took no number: the next split gets the one after the
		// first's. (A refused split does take one: numbers may have gaps.)
		next, err := f.svc.Split(f.ctx, desk.SplitRequest{TicketID: old, MessageIDs: []string{a1}, Subject: "First", AgentID: "ann"})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := strconv.Atoi(first.Ticket.ID); next.Ticket.ID != strconv.Itoa(n+1) {
			t.Fatalf("the next split made ticket %s, want %d", next.Ticket.ID, n+1)
		}
		// Two splits off it now: the retry still finds its own.
		if again, err := f.svc.Split(f.ctx, req); err != nil || !again.Again || again.Ticket.ID != first.Ticket.ID {
			t.Fatalf("the retry after another split: %+v %v", again.Ticket, err)
		}
		before = f.snapshot(t, old, first.Ticket.ID, next.Ticket.ID)

		for name, r := range map[string]desk.SplitRequest{
			"another agent":                {TicketID: old, MessageIDs: req.MessageIDs, Subject: req.Subject, AgentID: "bob"},
			"another subject":              {TicketID: old, MessageIDs: req.MessageIDs, Subject: "Third order", AgentID: "ann"},
			"one message still in it":      {TicketID: old, MessageIDs: []string{a2, a4}, Subject: req.Subject, AgentID: "ann"},
			"a retry the caller can't see": {TicketID: old, MessageIDs: req.MessageIDs, Subject: req.Subject, AgentID: "ann", Sees: func(helpdesk.Ticket) bool { return false }},
		} {
			var he *helpdesk.Error
			if _, err := f.svc.Split(f.ctx, r); !errors.As(err, &he) || he.Reason != "unknown_messages" {
				t.Errorf("%s: %v, want unknown_messages", name, err)
			}
		}
		f.unchanged(t, "the refused splits", before)
	})
}
