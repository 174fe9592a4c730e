package agent_test

import (
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// PUT /api/settings compiles each calendar (bizhours.Compile) before it
// saves: one the model could not run on is refused with bizhours' reason,
// and nothing is stored (else its policies would quietly run around the
// clock).
func TestSLACalendarsAreCompiledOnSave(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		base := `"pipelines":{"support":{"id":"support","name":"Support","stages":[{"id":"new","name":"New"},{"id":"closed","name":"Closed","closed":true}]}},"defaults":{"pipeline":"support","status":"new","priority":"medium"}`
		cal := func(zone, week, holidays string) string {
			return `{` + base + `,"sla":{"default_calendar":"paris","calendars":[{"id":"paris","name":"Paris","time_zone":"` + zone +
				`","week":` + week + `,"holidays":` + holidays + `}],"policies":[{"id":"std","name":"Standard","first_response_minutes":60,"business_hours":true,"pause_when_waiting":false}]}}`
		}
		open := `[[],[{"start":"09:00","end":"18:00"}],[],[],[],[],[]]`
		for _, c := range []struct{ name, body, want string }{
			{"unknown zone", cal("Europe/Atlantis", open, `[]`), "unknown_time_zone"},
			{"the server's zone", cal("Local", open, `[]`), "unknown_time_zone"},
			{"never open", cal("Europe/Paris", `[[],[],[],[],[],[],[]]`, `[]`), "no_open_time"},
			{"no zone", cal("", open, `[]`), "time_zone_required"},
			{"not HH:MM", cal("Europe/Paris", `[[],[{"start":"09:00","end":"9pm"}],[],[],[],[],[]]`, `[]`), "invalid_interval"},
			{"no such day", cal("Europe/Paris", open, `[{"date":"2026-02-31"}]`), "invalid_holiday"},
			{"yearly with a year", cal("Europe/Paris", open, `[{"date":"2026-12-25","yearly":true}]`), "invalid_holiday"},
		} {
			r := f.do(t, "PUT", "/api/settings", "ann", c.body)
			if r.status != 400 || reason(r) != c.want || !strings.Contains(r.raw, "paris") {
				t.Errorf("%s: %d %s, want 400 %s naming the calendar", c.name, r.status, r.raw, c.want)
			}
		}
		if got := f.do(t, "GET", "/api/settings", "ann", ""); got.body["sla"] != nil && strings.Contains(got.raw, "Atlantis") {
			t.Fatalf("a refused calendar was stored: %s", got.raw)
		}
		if r := f.do(t, "PUT", "/api/settings", "ann", cal("Europe/Paris", open, `[{"date":"12-25","yearly":true}]`)); r.status != 200 {
			t.Fatalf("a calendar that compiles: %d %s", r.status, r.raw)
		}
	})
}
