package agent

import (
	"net/url"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The reports' shared query reader keeps the reasons the OpenAPI documents
// for both reports, and each report's own default grouping.
func TestReadReportPeriod(t *testing.T) {
	for _, c := range []struct {
		query, want string
	}{
		{"from=yesterday&to=2027-01-01T00:00:00Z", "invalid_from"},
		{"to=2027-01-01T00:00:00Z", "invalid_from"},
		{"from=2026-01-01T00:00:00Z&to=2027-01-01", "invalid_to"},
		{"from=2026-01-01T00:00:00Z", "invalid_to"},
	} {
		q, _ := url.ParseQuery(c.query)
		_, err := readReportPeriod(q, "team")
		if helpdesk.ErrorCode(err) != helpdesk.EInvalid || helpdesk.ErrorReason(err) != c.want {
			t.Errorf("%s: %v, want %s", c.query, err, c.want)
		}
	}
	q, _ := url.ParseQuery("from=2026-11-01T00:00:00Z&to=2026-12-01T01:00:00%2B01:00")
	got, err := readReportPeriod(q, "agent")
	if err != nil || got.by != "agent" || !got.from.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) || !got.to.Equal(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("default grouping: %+v %v", got, err)
	}
	q.Set("by", "channel")
	if got, _ := readReportPeriod(q, "agent"); got.by != "channel" {
		t.Fatalf("by=channel: %+v", got)
	}
}

func TestMayReadReports(t *testing.T) {
	admin := helpdesk.Principal{Agent: helpdesk.Agent{Active: true, Role: helpdesk.RoleAdmin}}
	if err := mayReadReports(admin); err != nil {
		t.Fatalf("an admin: %v", err)
	}
	for name, p := range map[string]helpdesk.Principal{
		"an agent who sees his own": {Agent: helpdesk.Agent{Active: true, Role: helpdesk.RoleAgent}},
		"a deactivated admin":       {Agent: helpdesk.Agent{Role: helpdesk.RoleAdmin}},
	} {
		if err := mayReadReports(p); helpdesk.ErrorCode(err) != helpdesk.EForbidden || helpdesk.ErrorReason(err) != "reports_need_all_tickets" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
