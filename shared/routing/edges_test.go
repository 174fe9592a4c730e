package routing

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func TestClockRejectsSignsAndPadding(t *testing.T) {
	for _, s := range []string{"+9:00", "09:+5", "-0:00", "09:-0", "009:00", "+24:00", " 9:00"} {
		if _, err := clock(s); err == nil {
			t.Errorf("clock(%q) accepted", s)
		}
	}
	if err := ValidateHours([]helpdesk.WorkingHours{{Day: time.Monday, Start: "24:00", End: "06:00"}}); helpdesk.ErrorReason(err) != "bad_working_hours" {
		t.Errorf("start 24:00: err = %v", err)
	}
}

func TestLocalTimeZoneIsRefused(t *testing.T) {
	a := scheduled("Local", weekdays("00:00", "24:00")...)
	if ok, why := Available(a, utc(2026, 11, 23, 12, 0)); ok || why != SkipBadTimeZone {
		t.Fatalf("Available = %v %q, want bad_time_zone", ok, why)
	}
}

func TestUnknownRuleAssignsNobody(t *testing.T) {
	d := Decide(Input{
		Rule:   helpdesk.RoutingRule{Kind: "bogus", UserIDs: []string{"u"}},
		Agents: agents(ready("u")),
		Now:    utc(2026, 11, 23, 12, 0),
	})
	if d.OwnerID != "" || d.Record.Rule != helpdesk.RouteNobody {
		t.Fatalf("decision = %+v", d)
	}
}

func TestDefaultDistributionIsRecordedWhenNobodyIsEligible(t *testing.T) {
	d := Decide(Input{
		Rule:   helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, UserIDs: []string{"u"}},
		Agents: agents(away("u")),
		Now:    utc(2026, 11, 23, 12, 0),
	})
	if d.Record.Distribution != helpdesk.DistLoadBalanced || d.Record.Reason != ReasonNoEligibleUser {
		t.Fatalf("record = %+v", d.Record)
	}
}

func TestNilRandIsSafe(t *testing.T) {
	d := Decide(Input{
		Rule:   helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRandom, UserIDs: []string{"a", "b"}},
		Agents: agents(ready("a"), ready("b")),
		Now:    utc(2026, 11, 23, 12, 0),
	})
	if d.OwnerID != "a" && d.OwnerID != "b" {
		t.Fatalf("owner = %q", d.OwnerID)
	}
}
