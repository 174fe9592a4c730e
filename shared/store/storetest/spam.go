package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// SpamStore is what spam adds to the store (issue 12): blocked senders.
type SpamStore interface {
	BlockSender(ctx context.Context, b helpdesk.BlockedSender) error
	UnblockSender(ctx context.Context, senderKey string) error
	IsBlocked(ctx context.Context, senderKey string) (bool, error)
	ListBlocked(ctx context.Context) ([]helpdesk.BlockedSender, error)
}

func testBlockedSenders(t *testing.T, f *fixture) {
	for i, k := range []string{"email#spam@example.com", "messenger#page#psid-9"} {
		b := helpdesk.BlockedSender{Key: k, TicketID: "1", BlockedBy: "ann", BlockedAt: T0.Add(time.Duration(i) * time.Minute)}
		if err := f.st.BlockSender(f.ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	// Blocking again keeps the first record.
	if err := f.st.BlockSender(f.ctx, helpdesk.BlockedSender{Key: "email#spam@example.com", BlockedBy: "bob", BlockedAt: T0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]bool{"email#spam@example.com": true, "messenger#page#psid-9": true, "email#ok@example.com": false} {
		if got, err := f.st.IsBlocked(f.ctx, k); err != nil || got != want {
			t.Errorf("IsBlocked(%s) = %v, %v; want %v", k, got, err, want)
		}
	}
	list, err := f.st.ListBlocked(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "email#spam@example.com" || list[0].BlockedBy != "ann" || !list[0].BlockedAt.Equal(T0) || list[1].Key != "messenger#page#psid-9" {
		t.Fatalf("ListBlocked = %+v", list)
	}
	if err := f.st.UnblockSender(f.ctx, "email#spam@example.com"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "unblocking someone not blocked", f.st.UnblockSender(f.ctx, "email#spam@example.com"), store.ErrNotFound)
	if got, _ := f.st.IsBlocked(f.ctx, "email#spam@example.com"); got {
		t.Error("an unblocked sender is still blocked")
	}
	if list, _ := f.st.ListBlocked(f.ctx); len(list) != 1 {
		t.Errorf("after unblocking, %d listed, want 1", len(list))
	}
}

// A ticket marked spam reads back with when, is in the Spam view only,
// and its owner's count follows it out and back in; a deleted ticket's
// purge leaves nothing under its key and can run twice.
func testSpamReadsBackAndPurgeIsIdempotent(t *testing.T, f *fixture) {
	ann := agent("ann")
	if err := f.st.PutAgent(f.ctx, ann); err != nil {
		t.Fatal(err)
	}
	c := f.arrival("1", "cust@example.com", T0, "key-1")
	route(&c, ann, nil, T0)
	f.commit(c)
	at := T0.Add(time.Hour)
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.MarkSpamConversations(t, []string{"1"}, nil, "ann", at)
	})
	h := f.header("1")
	if h.State != helpdesk.StateSpam || !h.SpamAt.Equal(at) || f.load("ann").Count != 0 {
		t.Fatalf("after spam: state %s at %v, ann's load %d", h.State, h.SpamAt, f.load("ann").Count)
	}
	if got := f.list(helpdesk.StateSpam); !slices.Equal(got, []string{"1"}) || len(f.list(helpdesk.StateOpen)) != 0 {
		t.Fatalf("spam view %v, open view %v", got, f.list(helpdesk.StateOpen))
	}
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.NotSpam(t, "ann", f.set, at.Add(time.Hour))
	})
	if h := f.header("1"); h.State != helpdesk.StateOpen || !h.SpamAt.IsZero() || f.load("ann").Count != 1 {
		t.Fatalf("after not spam: state %s, spamAt %v, ann's load %d", h.State, h.SpamAt, f.load("ann").Count)
	}

	del := f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.DeleteMerged(t, nil, at.Add(2*time.Hour))
	})
	if len(del.Tickets) != 1 {
		t.Fatalf("delete wrote %d tickets", len(del.Tickets))
	}
	// The partition stays for the purge (app/purge), which needs the
	// messages' file keys; the ticket is gone at once.
	if _, err := f.st.GetTicket(f.ctx, "1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetTicket after delete: %v", err)
	}
	if f.load("ann").Count != 0 {
		t.Errorf("ann's load after the delete: %d", f.load("ann").Count)
	}
}
