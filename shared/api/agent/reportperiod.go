package agent

import (
	"net/url"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// reportPeriod is what a report request asks for: the period [from, to)
// and the grouping (checked by the report itself, which knows its own).
type reportPeriod struct {
	from, to time.Time
	by       string
}

// readReportPeriod reads a report's from and to (RFC 3339) and by
// (defaultBy when absent), the query every report takes.
func readReportPeriod(q url.Values, defaultBy string) (reportPeriod, error) {
	from, err := time.Parse(time.RFC3339, q.Get("from"))
	if err != nil {
		return reportPeriod{}, helpdesk.Errorf(helpdesk.EInvalid, "invalid_from", "from must be an RFC 3339 time")
	}
	to, err := time.Parse(time.RFC3339, q.Get("to"))
	if err != nil {
		return reportPeriod{}, helpdesk.Errorf(helpdesk.EInvalid, "invalid_to", "to must be an RFC 3339 time")
	}
	by := q.Get("by")
	if by == "" {
		by = defaultBy
	}
	return reportPeriod{from: from, to: to, by: by}, nil
}

// mayReadReports refuses a report to those who do not see every ticket: a
// report covers all tickets, so it would otherwise show some out of scope.
func mayReadReports(p helpdesk.Principal) error {
	if !p.Agent.Active || p.Scope() != helpdesk.ScopeAll {
		return helpdesk.Errorf(helpdesk.EForbidden, "reports_need_all_tickets", "reports are for admins and those who see every ticket")
	}
	return nil
}
