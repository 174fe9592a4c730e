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
	if err := mayReadReports(p); err != nil {
		return err
	}
	per, err := readReportPeriod(r.URL.Query(), "team")
	if err != nil {
		return err
	}
	rep, err := slareport.Read(r.Context(), a.Store, per.from, per.to, per.by)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, rep)
	return nil
}
