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
	if err := mayReadReports(p); err != nil {
		return err
	}
	per, err := readReportPeriod(r.URL.Query(), "agent")
	if err != nil {
		return err
	}
	rep, err := appcsat.Report(r.Context(), a.Store, per.from, per.to, per.by)
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
