package csat_test

import (
	"context"
	"testing"
	"time"

	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
)

// tickets serves ticket headers from a map; ratings are memstore's.
type tickets struct {
	*memstore.Store
	byID map[string]helpdesk.Ticket
}

func (t tickets) GetTicketHeader(_ context.Context, id string) (helpdesk.Ticket, error) {
	if tk, ok := t.byID[id]; ok {
		return tk, nil
	}
	return helpdesk.Ticket{}, helpdesk.ErrNotFound
}

var closedAt = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func service(now *time.Time) (*appcsat.Service, tickets) {
	st := tickets{Store: memstore.New(), byID: map[string]helpdesk.Ticket{
		"7": {ID: "7", Subject: "Refund", State: helpdesk.StateClosed, ClosedAt: closedAt, ContactID: "c1", OwnerID: "ann", ChannelID: "email:help"},
		"8": {ID: "8", Subject: "Open one", State: helpdesk.StateOpen, ContactID: "c1"},
		"9": {ID: "9", Subject: "Buy now", State: helpdesk.StateSpam, ClosedAt: closedAt, ContactID: "c1"},
	}}
	return &appcsat.Service{Store: st, Tenant: "acme", Secret: []byte("k"), Now: func() time.Time { return *now }}, st
}

func TestRateThroughTheLinkOnceWithinTheWindow(t *testing.T) {
	now := closedAt.Add(time.Hour)
	s, st := service(&now)
	link, ok := s.Link(st.byID["7"])
	if !ok {
		t.Fatal("a closed ticket has no survey link")
	}
	if _, ok := s.Link(st.byID["9"]); ok {
		t.Fatal("a spam ticket is surveyed")
	}
	sv, err := s.Open(t.Context(), link)
	if err != nil || sv.Subject != "Refund" || sv.Rated != nil {
		t.Fatalf("Open = %+v, %v", sv, err)
	}
	r, err := s.RateWithToken(t.Context(), link, 4, "Thanks")
	if err != nil || r.Score != 4 || r.OwnerID != "ann" {
		t.Fatalf("RateWithToken = %+v, %v", r, err)
	}
	if sv, _ := s.Open(t.Context(), link); sv.Rated == nil || sv.Rated.Score != 4 {
		t.Fatalf("the page after rating = %+v", sv)
	}
	if _, err := s.RateWithToken(t.Context(), link, 1, ""); helpdesk.ErrorReason(err) != "already_rated" {
		t.Fatalf("a second rating: %v, want 409 already_rated", err)
	}
	if _, err := s.RateWithToken(t.Context(), link[:len(link)-2]+"AA", 5, ""); !helpdesk.IsCode(err, helpdesk.EUnauthorised) {
		t.Fatalf("a tampered link: %v, want 401", err)
	}
	other := &appcsat.Service{Store: st, Tenant: "globex", Secret: []byte("k"), Now: s.Now}
	if _, err := other.Open(t.Context(), link); !helpdesk.IsCode(err, helpdesk.EUnauthorised) {
		t.Fatalf("another tenant's link: %v, want 401", err)
	}
}

func TestRefusedRatings(t *testing.T) {
	now := closedAt.Add(time.Hour)
	s, st := service(&now)
	if _, err := s.Rate(t.Context(), "8", "c1", 5, ""); helpdesk.ErrorReason(err) != "ticket_open" {
		t.Errorf("an open ticket: %v, want 409 ticket_open", err)
	}
	if _, err := s.Rate(t.Context(), "9", "c1", 5, ""); !helpdesk.IsCode(err, helpdesk.ENotFound) {
		t.Errorf("a spam ticket: %v, want 404", err)
	}
	if _, err := s.Rate(t.Context(), "7", "c2", 5, ""); !helpdesk.IsCode(err, helpdesk.ENotFound) {
		t.Errorf("another contact: %v, want 404", err)
	}
	link, _ := s.Link(st.byID["7"])
	now = closedAt.Add(csat.Window)
	if _, err := s.RateWithToken(t.Context(), link, 5, ""); helpdesk.ErrorReason(err) != "rating_expired" {
		t.Errorf("28 days after the close: %v, want 409 rating_expired", err)
	}
	if _, err := s.Rate(t.Context(), "7", "c1", 5, ""); helpdesk.ErrorReason(err) != "rating_expired" {
		t.Errorf("28 days after the close, signed in: %v, want 409 rating_expired", err)
	}
	if _, err := st.GetRating(t.Context(), "7"); err == nil {
		t.Error("a refused rating was stored")
	}
}

func TestReport(t *testing.T) {
	now := closedAt.Add(time.Hour)
	s, _ := service(&now)
	if _, err := s.Rate(t.Context(), "7", "c1", 5, ""); err != nil {
		t.Fatal(err)
	}
	rep, err := s.Report(t.Context(), closedAt, closedAt.Add(24*time.Hour), "agent")
	if err != nil || rep.Responses != 1 || rep.Groups[0].Key != "ann" || rep.Groups[0].Shares[4] != 1 {
		t.Fatalf("Report = %+v, %v", rep, err)
	}
	for _, bad := range []struct {
		from, to time.Time
		by       string
	}{
		{closedAt, closedAt.Add(time.Hour), "contact"},
		{closedAt, closedAt, "agent"},
		{closedAt, closedAt.Add(400 * 24 * time.Hour), "team"},
	} {
		if _, err := s.Report(t.Context(), bad.from, bad.to, bad.by); !helpdesk.IsCode(err, helpdesk.EInvalid) {
			t.Errorf("Report(%v, %v, %q) = %v, want invalid", bad.from, bad.to, bad.by, err)
		}
	}
}
