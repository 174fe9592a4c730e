package storetest

import (
	"errors"
	"sync"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// testReservedNumbersAreKeptPerMessage: a message's retry reads back the
// number its first attempt took, another message takes the next one, and
// concurrent first attempts of one message agree on one number.
func testReservedNumbersAreKeptPerMessage(t *testing.T, f *fixture) {
	first, err := f.st.ReserveTicketNumber(f.ctx, "messenger-1#m_1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.st.ReserveTicketNumber(f.ctx, "messenger-1#m_1")
	if err != nil || again != first {
		t.Fatalf("retry reserved %q (%v), want the first attempt's %q", again, err, first)
	}
	other, err := f.st.ReserveTicketNumber(f.ctx, "messenger-1#m_2")
	if err != nil || other == first {
		t.Fatalf("another message reserved %q (%v), want a number of its own (first %q)", other, err, first)
	}
	next, err := f.st.NextTicketNumber(f.ctx)
	if err != nil || next != "3" {
		t.Fatalf("next number %q (%v), want 3: a retry took no number", next, err)
	}

	const n = 8
	got := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var e error
			if got[i], e = f.st.ReserveTicketNumber(f.ctx, "email#<race@example.com>"); e != nil {
				t.Error(e)
			}
		})
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[0] {
			t.Fatalf("concurrent attempts of one message reserved %v, want one number", got)
		}
	}
}

// testNotificationEmailStatusIsRecorded: an email the sender could not
// send is recorded on its notification; an unknown notification is
// ErrNotFound and creates nothing.
func testNotificationEmailStatusIsRecorded(t *testing.T, f *fixture) {
	ann := helpdesk.AgentRecipient("ann")
	f.commit(ticket.Change{Notifications: []helpdesk.Notification{{ID: "n1", Recipient: ann, Kind: helpdesk.NotifyAssigned,
		TicketID: "1", Subject: "s", At: T0}}})
	if err := f.st.SetNotificationEmail(f.ctx, ann, T0, "n1", "failed", "no sender"); err != nil {
		t.Fatal(err)
	}
	if got := f.notes(ann); len(got) != 1 || got[0].EmailStatus != "failed" || got[0].EmailReason != "no sender" {
		t.Fatalf("ann's feed = %+v, want n1 with its email failed", got)
	}
	if err := f.st.SetNotificationEmail(f.ctx, ann, T0, "n2", "failed", "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown notification: %v, want ErrNotFound", err)
	}
	if got := f.notes(ann); len(got) != 1 {
		t.Fatalf("ann's feed = %+v, want n1 only", got)
	}
}
