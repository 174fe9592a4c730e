// Package csat is the satisfaction survey's use cases: a customer rates a
// closed ticket (through a signed link, or signed in to the portal), and
// agents read a ticket's rating and the report. The decisions are the pure
// model's (shared/csat); this package reads and writes through Store.
package csat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Store is what the survey reads and writes; *store.Store and
// *memstore.Store are both one.
type Store interface {
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	PutRating(ctx context.Context, r helpdesk.Rating) error
	GetRating(ctx context.Context, ticketID string) (helpdesk.Rating, error)
	Ratings(ctx context.Context, from, to time.Time) ([]helpdesk.Rating, error)
}

// Service rates tickets and reports on the ratings.
type Service struct {
	Store  Store
	Tenant string
	// Secret signs the survey links (the reply-token secret's key, like
	// the agent API's cursors: see wire).
	Secret []byte
	Now    func() time.Time
}

// Link returns the signed token for t's survey, or false when t is not
// surveyed (open, spam): what the closing notification links to.
func (s *Service) Link(t helpdesk.Ticket) (string, bool) {
	tok, ok := csat.For(s.Tenant, t)
	if !ok {
		return "", false
	}
	return csat.Sign(s.Secret, tok), true
}

// Survey is what a link's page shows: the ticket asked about, and its
// rating if it has one.
type Survey struct {
	Token   csat.Token
	Subject string
	Rated   *helpdesk.Rating
}

// Open verifies a link and reads what its page shows: 401 for a bad link,
// 404 for a ticket gone, 409 once the link expired.
func (s *Service) Open(ctx context.Context, token string) (Survey, error) {
	tok, err := s.verify(token)
	if err != nil {
		return Survey{}, err
	}
	t, err := s.Store.GetTicketHeader(ctx, tok.TicketID)
	if err != nil {
		return Survey{}, err
	}
	sv := Survey{Token: tok, Subject: t.Subject}
	switch r, err := s.Store.GetRating(ctx, tok.TicketID); {
	case err == nil:
		sv.Rated = &r
	case !errors.Is(err, helpdesk.ErrNotFound):
		return Survey{}, err
	}
	return sv, nil
}

// RateWithToken records the rating a signed link's holder gives.
func (s *Service) RateWithToken(ctx context.Context, token string, score int, comment string) (helpdesk.Rating, error) {
	tok, err := s.verify(token)
	if err != nil {
		return helpdesk.Rating{}, err
	}
	return s.Rate(ctx, tok.TicketID, tok.ContactID, score, comment)
}

// Rate records contactID's rating of ticketID: the portal calls it for a
// signed-in customer, RateWithToken for a link. Refused: another contact's
// or a spam ticket (404), an open ticket, one closed 28 days ago or more,
// or one rated already (409).
func (s *Service) Rate(ctx context.Context, ticketID, contactID string, score int, comment string) (helpdesk.Rating, error) {
	t, err := s.Store.GetTicketHeader(ctx, ticketID)
	if err != nil {
		return helpdesk.Rating{}, err
	}
	return s.RateTicket(ctx, t, contactID, score, comment)
}

// RateTicket is Rate on a ticket header the caller has read already (the
// portal reads it to check the ticket is the customer's): the same rules,
// one read fewer.
func (s *Service) RateTicket(ctx context.Context, t helpdesk.Ticket, contactID string, score int, comment string) (helpdesk.Rating, error) {
	r, err := csat.Decide(t, contactID, score, comment, s.now())
	if err != nil {
		return helpdesk.Rating{}, err
	}
	if err := s.Store.PutRating(ctx, r); err != nil {
		return helpdesk.Rating{}, err
	}
	return r, nil
}

// Report returns the report over ratings made in [from, to), grouped by by.
func (s *Service) Report(ctx context.Context, from, to time.Time, by string) (helpdesk.CSATReport, error) {
	return Report(ctx, s.Store, from, to, by)
}

// RatingsReader reads ratings by period (the agent API's store is one).
type RatingsReader interface {
	Ratings(ctx context.Context, from, to time.Time) ([]helpdesk.Rating, error)
}

// Report returns the report over ratings made in [from, to), grouped by by
// (agent, team or channel): one query of the ratings index, no Scan.
func Report(ctx context.Context, st RatingsReader, from, to time.Time, by string) (helpdesk.CSATReport, error) {
	if !csat.ValidBy(by) {
		return helpdesk.CSATReport{}, helpdesk.Errorf(helpdesk.EInvalid, "invalid_by", "by must be agent, team or channel")
	}
	if err := helpdesk.CheckReportPeriod(from, to); err != nil {
		return helpdesk.CSATReport{}, err
	}
	rs, err := st.Ratings(ctx, from, to)
	if err != nil {
		return helpdesk.CSATReport{}, fmt.Errorf("csat report: %w", err)
	}
	return csat.Report(from, to, by, rs), nil
}

func (s *Service) verify(token string) (csat.Token, error) {
	tok, err := csat.Verify(s.Secret, s.Tenant, token)
	if err != nil {
		return csat.Token{}, err
	}
	// The link's own expiry: a token cannot outlive the close it was made for.
	if !s.now().Before(tok.Expires) {
		return csat.Token{}, helpdesk.Errorf(helpdesk.EConflict, "rating_expired", "a ticket can be rated for 28 days after it closed")
	}
	return tok, nil
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}
