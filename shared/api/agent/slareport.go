package agent

import (
	"context"
	"net/http"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/slareport"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// SLAReportStore reads SLA outcomes by period (the report, issue 15).
type SLAReportStore interface {
	SLAOutcomes(ctx context.Context, from, to time.Time) ([]helpdesk.SLAOutcome, error)
}

func (a *API) slaReportRoutes() []Route {
	return []Route{
		{"GET /api/reports/sla", a.signedIn(a.slaReport)},
	}
}

// slaReport serves the SLA report to those who see every ticket, like the
// satisfaction report (it covers every ticket's targets).
func (a *API) slaReport(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
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
		by = "team"
	}
	rep, err := slareport.Read(r.Context(), a.Store, from, to, by)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, rep)
	return nil
}
