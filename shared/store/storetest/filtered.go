package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// FilteredStore keeps the mail email-inbound kept out of the tickets.
type FilteredStore interface {
	RecordFiltered(ctx context.Context, f helpdesk.FilteredMail) error
	GetFiltered(ctx context.Context, received time.Time, sesID string) (helpdesk.FilteredMail, error)
	ListFiltered(ctx context.Context, kind, after string, limit int32) ([]helpdesk.FilteredMail, string, error)
	PromoteFiltered(ctx context.Context, f helpdesk.FilteredMail, audit helpdesk.AuditEntry) error
}

func filteredMail(i int, kind string) helpdesk.FilteredMail {
	at := T0.Add(time.Duration(i) * time.Minute)
	id := fmt.Sprintf("ses%03d", i)
	return helpdesk.FilteredMail{SESMessageID: id, ReceivedAt: at, Kind: kind, Reason: "auto-submitted: auto-replied",
		Sender: helpdesk.Sender{Email: "ooo@example.com", Name: "Out Of Office"}, Subject: fmt.Sprintf("Away %d", i),
		MessageID: id + "@example.com", ChannelID: "email:support@acme.example", Recipients: []string{"support@acme.example"},
		RawKey: "inbound/" + id, RawLocation: "s3://mail/inbound/" + id, ExpiresAt: at.Add(helpdesk.FilteredRetention)}
}

// A filtered mail reads back as recorded (bounded); a redelivery keeps the
// first record; the list pages newest first, by kind too; a promotion is
// written once, with its audit entry.
func testFilteredMail(t *testing.T, f *fixture) {
	kinds := []string{helpdesk.FilteredAutoReply, helpdesk.FilteredBulk, helpdesk.FilteredAutoReply, helpdesk.FilteredNoChannel,
		helpdesk.FilteredAutoReply, helpdesk.FilteredBounce, helpdesk.FilteredUnparseable}
	for i, k := range kinds {
		if err := f.st.RecordFiltered(f.ctx, filteredMail(i, k)); err != nil {
			t.Fatal(err)
		}
	}
	want := filteredMail(0, helpdesk.FilteredAutoReply)
	got, err := f.st.GetFiltered(f.ctx, want.ReceivedAt, want.SESMessageID)
	if err != nil || got.Sender != want.Sender || got.Subject != want.Subject || got.Reason != want.Reason ||
		!got.ReceivedAt.Equal(want.ReceivedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) || got.RawKey != want.RawKey ||
		got.RawLocation != want.RawLocation || got.ChannelID != want.ChannelID || !slices.Equal(got.Recipients, want.Recipients) ||
		got.MessageID != want.MessageID || got.Kind != want.Kind || got.PromotedAt != nil {
		t.Fatalf("read back %+v, %v; want %+v", got, err, want)
	}
	// A redelivery records nothing new.
	again := want
	again.Reason, again.Subject = "changed", "changed"
	if err := f.st.RecordFiltered(f.ctx, again); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.GetFiltered(f.ctx, want.ReceivedAt, want.SESMessageID); got.Subject != want.Subject {
		t.Fatalf("a redelivery replaced the record: %+v", got)
	}
	if _, err := f.st.GetFiltered(f.ctx, want.ReceivedAt.Add(time.Second), want.SESMessageID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another time: %v, want ErrNotFound", err)
	}
	// What a mail says is bounded: one record stays a small item.
	long := filteredMail(20, helpdesk.FilteredBulk)
	long.Subject, long.Sender.Name = strings.Repeat("Ω", 5000), strings.Repeat("n", 5000)
	for i := range 50 {
		long.Recipients = append(long.Recipients, fmt.Sprintf("r%d@acme.example", i))
	}
	if err := f.st.RecordFiltered(f.ctx, long); err != nil {
		t.Fatal(err)
	}
	if got, err := f.st.GetFiltered(f.ctx, long.ReceivedAt, long.SESMessageID); err != nil || len([]rune(got.Subject)) > 300 ||
		len([]rune(got.Sender.Name)) > 300 || len(got.Recipients) > 10 || !strings.HasSuffix(got.Subject, "…") {
		t.Fatalf("a long mail's record: %d runes of subject, %d recipients, %v", len([]rune(got.Subject)), len(got.Recipients), err)
	}

	list := func(kind string, limit int32) []string {
		t.Helper()
		var ids []string
		after := ""
		for range 20 {
			page, next, err := f.st.ListFiltered(f.ctx, kind, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > int(limit) || len(page) < int(limit) && next != "" && kind == "" {
				t.Fatalf("a page of %d (limit %d), next %q", len(page), limit, next)
			}
			for _, m := range page {
				ids = append(ids, m.SESMessageID)
			}
			if next == "" {
				return ids
			}
			after = next
		}
		t.Fatal("more than 20 pages")
		return nil
	}
	all := []string{"ses020", "ses006", "ses005", "ses004", "ses003", "ses002", "ses001", "ses000"}
	for _, limit := range []int32{1, 2, 3, 100} {
		if got := list("", limit); !slices.Equal(got, all) {
			t.Fatalf("%d at a time: %v, want %v", limit, got, all)
		}
	}
	if got := list(helpdesk.FilteredAutoReply, 2); !slices.Equal(got, []string{"ses004", "ses002", "ses000"}) {
		t.Fatalf("auto-replies two at a time: %v", got)
	}
	if got := list(helpdesk.FilteredLoop, 2); len(got) != 0 {
		t.Fatalf("loops: %v, want none", got)
	}
	if _, _, err := f.st.ListFiltered(f.ctx, "", "not-a-position", 2); !errors.Is(err, store.ErrInvalidCursor) {
		t.Fatalf("a made-up position: %v, want ErrInvalidCursor", err)
	}

	// Promote once, with its audit entry; twice is refused; a missing one is not found.
	at := T0.Add(time.Hour)
	p := want
	p.PromotedBy, p.PromotedAt, p.PromotedMessageID = "ann", &at, want.MessageID
	audit := helpdesk.AuditEntry{ID: "a1", At: at, ActorID: "ann", Kind: helpdesk.AuditFiltered, EntityID: want.SESMessageID,
		Action: helpdesk.AuditPromote, After: []byte(`{"kind":"auto_reply"}`)}
	if err := f.st.PromoteFiltered(f.ctx, p, audit); err != nil {
		t.Fatal(err)
	}
	got, _ = f.st.GetFiltered(f.ctx, want.ReceivedAt, want.SESMessageID)
	if got.PromotedBy != "ann" || got.PromotedAt == nil || !got.PromotedAt.Equal(at) || got.PromotedMessageID != want.MessageID {
		t.Fatalf("promoted: %+v", got)
	}
	audit.ID = "a2"
	if err := f.st.PromoteFiltered(f.ctx, p, audit); !errors.Is(err, store.ErrAlreadyPromoted) {
		t.Fatalf("promoted twice: %v, want ErrAlreadyPromoted", err)
	}
	gone := filteredMail(99, helpdesk.FilteredBulk)
	gone.PromotedBy, gone.PromotedAt = "ann", &at
	if err := f.st.PromoteFiltered(f.ctx, gone, audit); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("promoting a missing one: %v, want ErrNotFound", err)
	}
	entries, _, err := f.st.ListAudit(f.ctx, "", 10)
	if err != nil || len(entries) != 1 || entries[0].ID != "a1" || entries[0].Kind != helpdesk.AuditFiltered {
		t.Fatalf("audit trail %+v, %v: want the one promotion", entries, err)
	}
	// A redelivery after the promotion does not undo it.
	if err := f.st.RecordFiltered(f.ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.GetFiltered(f.ctx, want.ReceivedAt, want.SESMessageID); got.PromotedAt == nil {
		t.Fatal("a redelivery undid the promotion")
	}
}
