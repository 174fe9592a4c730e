package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/store/storetest"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var _ storetest.Store = (*store.Store)(nil)

var t0 = storetest.T0

func newStore(t *testing.T) (*store.Store, *dynamodb.Client, string) {
	db, table := testbed.Table(t)
	return store.New(db, table, store.WithClock(func() time.Time { return t0 })), db, table
}

// The store contract (shared/store/storetest), on DynamoDB Local.
func TestContract(t *testing.T) {
	testbed.AWS(t, "DYNAMODB")
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		db, table := testbed.Table(t)
		return store.New(db, table, store.WithClock(now))
	})
}

// Provider ids and thread keys can be far longer than DynamoDB's 2 KB
// partition keys allow (an email Message-ID may be ~1 KB, and keys add a
// channel id): the store bounds them, and every lookup still finds them.
func TestLongKeysAreBounded(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
	long := strings.Repeat("x", 3000) + "@mail.example"
	other := strings.Repeat("x", 3000) + "@mail.example.org"

	tk := helpdesk.Ticket{ID: "1", Subject: "s", Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
		Type: helpdesk.TypeEmailOther, ChannelID: "email:a", ChannelKind: helpdesk.ChannelEmail, ContactID: "c1",
		CreatedAt: t0, UpdatedAt: t0, Version: 1, ThreadKeys: []string{"msgid#" + long}}
	msg := helpdesk.Message{ID: "m1", TicketID: "1", Direction: helpdesk.Outbound, ChannelID: "email:a", ChannelKind: helpdesk.ChannelEmail,
		Text: "hi", Status: helpdesk.StatusQueued, CreatedAt: t0}
	dedupe := store.DedupeKey("email", long)
	c := ticket.Change{Tickets: []ticket.Write{{After: &tk}}, Messages: []helpdesk.Message{msg},
		ThreadKeys: []ticket.ThreadKey{{Key: "msgid#" + long, TicketID: "1"}},
		Dedupe:     &ticket.Dedupe{Key: dedupe, TicketID: "1", MessageID: "m1"},
		Contact:    &ticket.NewContact{Contact: helpdesk.Contact{ID: "c1", CreatedAt: t0}, Key: "email#" + long}}
	if err := s.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	if id, key, err := s.FindThread(ctx, []string{"msgid#" + other, "msgid#" + long}); err != nil || id != "1" || key != "msgid#"+long {
		t.Fatalf("FindThread of a long key = %q, %v", id, err)
	}
	if rec, err := s.FindDedupe(ctx, dedupe); err != nil || rec.TicketID != "1" {
		t.Fatalf("FindDedupe of a long key = %+v, %v", rec, err)
	}
	if _, err := s.FindDedupe(ctx, store.DedupeKey("email", other)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another long key found a dedupe record: %v", err)
	}
	if id, err := s.FindContactID(ctx, "email#"+long); err != nil || id != "c1" {
		t.Fatalf("FindContactID of a long key = %q, %v", id, err)
	}
	if err := s.SetMessageStatus(ctx, msg, helpdesk.StatusQueued, helpdesk.StatusSent, long, ""); err != nil {
		t.Fatal(err)
	}
	if m, changed, err := s.ApplyStatusReport(ctx, helpdesk.StatusReport{ChannelID: "email:a", ProviderMessageID: long,
		Status: helpdesk.StatusDelivered, At: t0}); err != nil || !changed || m.ID != "m1" {
		t.Fatalf("a report for a long provider id: %+v %v %v", m, changed, err)
	}
	held := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: "email:a",
		ProviderMessageID: long, ReceivedAt: t0, Sender: helpdesk.Sender{Email: long}}
	if err := s.HoldMessage(ctx, held, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ms, err := s.HeldMessages(ctx, "email:a", held.Sender.Key(helpdesk.ChannelEmail), t0); err != nil || len(ms) != 1 || ms[0].ProviderMessageID != long {
		t.Fatalf("held under a long sender key: %d messages, %v", len(ms), err)
	}
}
