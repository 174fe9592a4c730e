package agent

import (
	"context"
	"net/http"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/slaview"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// SLABreachingStore reads the sweep's index (GSI6) for the tickets
// breaching soon (issue 15; shared/app/slaview).
type SLABreachingStore interface {
	DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) (ids []string, last string, err error)
}

func (a *API) slaBreachingRoutes() []Route {
	return []Route{
		{"GET /api/sla/breaching", a.signedIn(a.slaBreaching)},
	}
}

// BreachingPage is the tickets the caller may see whose earliest running
// SLA target falls due within the hour, soonest first.
type BreachingPage struct {
	Tickets   []helpdesk.Ticket `json:"tickets"`
	Truncated bool              `json:"truncated,omitempty"`
}

func (a *API) slaBreaching(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	res, err := slaview.BreachingSoon(r.Context(), a.Store, a.now(), time.Hour, p.CanSee)
	if err != nil {
		return err
	}
	page := BreachingPage{Tickets: make([]helpdesk.Ticket, 0, len(res.Rows)), Truncated: res.Truncated}
	for _, row := range res.Rows {
		page.Tickets = append(page.Tickets, row.Ticket)
	}
	httpjson.Write(w, http.StatusOK, page)
	return nil
}
