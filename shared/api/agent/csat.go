package agent

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// CSATStore reads satisfaction ratings: a ticket's (its page) and a
// period's (the report).
type CSATStore interface {
	GetRating(ctx context.Context, ticketID string) (helpdesk.Rating, error)
	Ratings(ctx context.Context, from, to time.Time) ([]helpdesk.Rating, error)
}

func (a *API) csatRoutes() []Route {
	return []Route{
		{"GET /api/reports/csat", a.signedIn(a.csatReport)},
	}
}

// csatReport serves the satisfaction report to those who see every ticket
// (a report over all ratings would otherwise show tickets out of scope).
func (a *API) csatReport(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	if !p.Agent.Active || p.Scope() != helpdesk.ScopeAll {
		return helpdesk.Errorf(helpdesk.EForbidden, "reports_need_all_tickets", "reports are for admins and those who see every ticket")
	}
	q := r.URL.Query()
	from, err := time.Parse(time.RFC3339, q.Get("from"))
	if err != nil {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_from", "from must be an RFC 3339 time")
	}
	to, err := time.Parse(time.RFC3339, q.Get("to"))
	if err != nil {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_to", "to must be an RFC 3339 time")
	}
	by := q.Get("by")
	if by == "" {
		by = "agent"
	}
	rep, err := appcsat.Report(r.Context(), a.Store, from, to, by)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, rep)
	return nil
}

// ticketRating reads t's rating for its page: only a ticket that has
// closed can have one, so an open-since-created ticket's page reads nothing
// more.
func (a *API) ticketRating(ctx context.Context, t helpdesk.Ticket) (*helpdesk.Rating, error) {
	if t.ClosedAt.IsZero() {
		return nil, nil
	}
	r, err := a.Store.GetRating(ctx, t.ID)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &r, nil
}
