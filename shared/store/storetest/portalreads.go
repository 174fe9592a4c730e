package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/store"
)

// PortalReadsStore is what the portal's read side adds to the store
// (issue 14): a contact's last visit, and the index's term records.
type PortalReadsStore interface {
	SetPortalVisit(ctx context.Context, contactID string, at time.Time) error
	PortalVisit(ctx context.Context, contactID string) (time.Time, error)
	TicketTermHashes(ctx context.Context, ids []string) (map[string][]uint32, error)
}

func testPortalVisitsAndTermRecords(t *testing.T, f *fixture) {
	s := f.st
	if at, err := s.PortalVisit(f.ctx, "c1"); err != nil || !at.IsZero() {
		t.Fatalf("visit before any = %v, %v; want zero", at, err)
	}
	// To the nanosecond: the stored time is lossless.
	later := T0.Add(time.Hour + 123456789*time.Nanosecond)
	for _, at := range []time.Time{T0, later, T0.Add(time.Minute)} { // the last is older: kept out
		if err := s.SetPortalVisit(f.ctx, "c1", at); err != nil {
			t.Fatal(err)
		}
	}
	if at, err := s.PortalVisit(f.ctx, "c1"); err != nil || !at.Equal(later) {
		t.Fatalf("visit = %v, %v; want %v (an older visit never replaces a newer)", at, err, later)
	}
	if at, _ := s.PortalVisit(f.ctx, "c2"); !at.IsZero() {
		t.Fatalf("another contact's visit = %v", at)
	}

	terms := []search.Term{{Text: "invoice", Field: search.FieldSubject}, {Text: "refund", Field: search.FieldMessage}}
	if _, err := s.IndexTicket(f.ctx, "41", terms); err != nil {
		t.Fatal(err)
	}
	if _, err := s.IndexTicket(f.ctx, "42", terms[1:]); err != nil {
		t.Fatal(err)
	}
	got, err := s.TicketTermHashes(f.ctx, []string{"41", "42", "43"})
	if err != nil {
		t.Fatal(err)
	}
	want41 := []uint32{store.TermHash(terms[0]), store.TermHash(terms[1])}
	slices.Sort(want41)
	if len(got) != 2 || !slices.Equal(got["41"], want41) || !slices.Equal(got["42"], []uint32{store.TermHash(terms[1])}) {
		t.Fatalf("term records = %v; want 41: %v, 42: the refund term, 43 left out", got, want41)
	}
	if got, err := s.TicketTermHashes(f.ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no ids: %v, %v", got, err)
	}

	// The portal's branding round-trips with the settings.
	set := helpdesk.DefaultSettings()
	set.Portal = helpdesk.PortalBranding{Name: "Acme Help", LogoURL: "https://cdn.acme.example/logo.svg", PrimaryColor: "#112233", AccentColor: "#AbCdEf"}
	if err := s.CreateSettingsIfMissing(f.ctx, set); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetSettings(f.ctx); err != nil || got.Portal != set.Portal {
		t.Fatalf("portal branding read back %+v, %v; want %+v", got.Portal, err, set.Portal)
	}
	bad := set
	bad.Portal.PrimaryColor = "red"
	if err := s.PutSettings(f.ctx, bad, 1); err == nil {
		t.Fatal("a colour that is not #rrggbb was stored")
	}
}
