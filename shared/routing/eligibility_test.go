package routing

import (
	"fmt"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// utc builds a fixed UTC instant; tests never read the wall clock.
func utc(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

// ready is a seated, active agent, available in manual mode.
func ready(id string, skills ...string) helpdesk.Agent {
	return helpdesk.Agent{ID: id, Seat: true, Active: true, Skills: skills}
}

// scheduled is a seated, active agent in schedule mode.
func scheduled(tz string, hours ...helpdesk.WorkingHours) helpdesk.Agent {
	a := ready("s")
	a.TimeZone = tz
	a.Availability = helpdesk.Availability{Mode: helpdesk.AvailabilitySchedule, Hours: hours}
	return a
}

// weekdays is Monday to Friday, start to end.
func weekdays(start, end string) []helpdesk.WorkingHours {
	var hs []helpdesk.WorkingHours
	for d := time.Monday; d <= time.Friday; d++ {
		hs = append(hs, helpdesk.WorkingHours{Day: d, Start: start, End: end})
	}
	return hs
}

func TestEligible(t *testing.T) {
	now := utc(2026, time.January, 14, 10, 0) // a Wednesday
	ooo := []helpdesk.Period{{From: now.Add(-time.Hour), To: now.Add(time.Hour)}}
	with := func(a helpdesk.Agent, f func(*helpdesk.Agent)) helpdesk.Agent { f(&a); return a }

	tests := []struct {
		name   string
		agent  helpdesk.Agent
		rule   helpdesk.RoutingRule
		ok     bool
		reason string
	}{
		{"ready", ready("a"), helpdesk.RoutingRule{}, true, ""},
		{"no seat", with(ready("a"), func(a *helpdesk.Agent) { a.Seat = false }), helpdesk.RoutingRule{}, false, SkipNoSeat},
		{"no seat and inactive reports no seat", helpdesk.Agent{ID: "a"}, helpdesk.RoutingRule{}, false, SkipNoSeat},
		{"inactive", with(ready("a"), func(a *helpdesk.Agent) { a.Active = false }), helpdesk.RoutingRule{}, false, SkipInactive},
		{"no seat even with any availability", with(ready("a"), func(a *helpdesk.Agent) { a.Seat = false }),
			helpdesk.RoutingRule{AnyAvailability: true}, false, SkipNoSeat},
		{"inactive even with any availability", with(ready("a"), func(a *helpdesk.Agent) { a.Active = false }),
			helpdesk.RoutingRule{AnyAvailability: true}, false, SkipInactive},
		{"missing the only skill", ready("a", "en"), helpdesk.RoutingRule{Skills: []string{"fr"}}, false, "missing_skill:fr"},
		{"missing the first skill", ready("a", "billing"), helpdesk.RoutingRule{Skills: []string{"fr", "billing"}}, false, "missing_skill:fr"},
		{"missing the second skill", ready("a", "fr"), helpdesk.RoutingRule{Skills: []string{"fr", "billing"}}, false, "missing_skill:billing"},
		{"no skills at all", ready("a"), helpdesk.RoutingRule{Skills: []string{"fr"}}, false, "missing_skill:fr"},
		{"reason keeps the rule's spelling", ready("a", "en"), helpdesk.RoutingRule{Skills: []string{"FR"}}, false, "missing_skill:FR"},
		{"all skills held", ready("a", "billing", "fr", "en"), helpdesk.RoutingRule{Skills: []string{"fr", "billing"}}, true, ""},
		{"skills match case-insensitively", ready("a", "Fr", "BILLING"), helpdesk.RoutingRule{Skills: []string{"fR", "billing"}}, true, ""},
		{"skill is not a substring match", ready("a", "french"), helpdesk.RoutingRule{Skills: []string{"fr"}}, false, "missing_skill:fr"},
		{"skill checked before availability", with(ready("a"), func(a *helpdesk.Agent) { a.Availability.Away = true }),
			helpdesk.RoutingRule{Skills: []string{"fr"}}, false, "missing_skill:fr"},
		{"skills still required with any availability", ready("a", "en"),
			helpdesk.RoutingRule{Skills: []string{"fr"}, AnyAvailability: true}, false, "missing_skill:fr"},
		{"manual available", with(ready("a"), func(a *helpdesk.Agent) { a.Availability.Mode = helpdesk.AvailabilityManual }),
			helpdesk.RoutingRule{}, true, ""},
		{"manual away", with(ready("a"), func(a *helpdesk.Agent) {
			a.Availability = helpdesk.Availability{Mode: helpdesk.AvailabilityManual, Away: true}
		}), helpdesk.RoutingRule{}, false, SkipAway},
		{"empty mode is manual: away", with(ready("a"), func(a *helpdesk.Agent) { a.Availability.Away = true }),
			helpdesk.RoutingRule{}, false, SkipAway},
		{"out of office", with(ready("a"), func(a *helpdesk.Agent) { a.Availability.OutOfOffice = ooo }),
			helpdesk.RoutingRule{}, false, SkipOutOfOffice},
		{"outside hours", scheduled("Europe/Paris", weekdays("20:00", "21:00")...), helpdesk.RoutingRule{}, false, SkipOutsideHours},
		{"bad time zone", scheduled("Nowhere/Atlantis", weekdays("00:00", "24:00")...), helpdesk.RoutingRule{}, false, SkipBadTimeZone},
		{"any availability ignores away", with(ready("a"), func(a *helpdesk.Agent) { a.Availability.Away = true }),
			helpdesk.RoutingRule{AnyAvailability: true}, true, ""},
		{"any availability ignores out of office", with(ready("a"), func(a *helpdesk.Agent) { a.Availability.OutOfOffice = ooo }),
			helpdesk.RoutingRule{AnyAvailability: true}, true, ""},
		{"any availability ignores the schedule", scheduled("Europe/Paris", weekdays("20:00", "21:00")...),
			helpdesk.RoutingRule{AnyAvailability: true}, true, ""},
		{"any availability ignores a bad time zone", scheduled("Nowhere/Atlantis"),
			helpdesk.RoutingRule{AnyAvailability: true}, true, ""},
		{"any availability with skills held", with(ready("a", "fr"), func(a *helpdesk.Agent) { a.Availability.Away = true }),
			helpdesk.RoutingRule{Skills: []string{"FR"}, AnyAvailability: true}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := Eligible(tt.agent, tt.rule, now)
			if ok != tt.ok || reason != tt.reason {
				t.Errorf("Eligible = (%v, %q), want (%v, %q)", ok, reason, tt.ok, tt.reason)
			}
		})
	}
}

func TestAvailableOutOfOffice(t *testing.T) {
	from := utc(2026, time.January, 14, 12, 0) // Wednesday
	to := utc(2026, time.January, 16, 12, 0)   // Friday
	periods := []helpdesk.Period{
		{From: utc(2025, time.December, 1, 0, 0), To: utc(2025, time.December, 2, 0, 0)}, // long past
		{From: from, To: to},
	}
	manual := ready("m")
	manual.Availability.OutOfOffice = periods
	// Paris 00:00–24:00 every weekday: inside hours throughout the period
	// except where noted, so OOO is what decides.
	sched := scheduled("Europe/Paris", weekdays("00:00", "24:00")...)
	sched.Availability.OutOfOffice = periods

	tests := []struct {
		name   string
		agent  helpdesk.Agent
		now    time.Time
		ok     bool
		reason string
	}{
		{"manual: 1ns before From", manual, from.Add(-time.Nanosecond), true, ""},
		{"manual: exactly From", manual, from, false, SkipOutOfOffice},
		{"manual: inside", manual, from.Add(24 * time.Hour), false, SkipOutOfOffice},
		{"manual: 1ns before To", manual, to.Add(-time.Nanosecond), false, SkipOutOfOffice},
		{"manual: exactly To", manual, to, true, ""},
		{"manual: From in another zone, same instant", manual, from.In(time.FixedZone("X", 5*3600)), false, SkipOutOfOffice},
		{"schedule: 1ns before From", sched, from.Add(-time.Nanosecond), true, ""},
		{"schedule: exactly From", sched, from, false, SkipOutOfOffice},
		{"schedule: 1ns before To", sched, to.Add(-time.Nanosecond), false, SkipOutOfOffice},
		{"schedule: exactly To", sched, to, true, ""},
		{"schedule: after To, weekend in Paris", sched, utc(2026, time.January, 17, 12, 0), false, SkipOutsideHours},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, reason := Available(tt.agent, tt.now)
			if ok != tt.ok || reason != tt.reason {
				t.Errorf("Available(%s) = (%v, %q), want (%v, %q)", tt.now.Format(time.RFC3339Nano), ok, reason, tt.ok, tt.reason)
			}
		})
	}

	t.Run("out of office wins over away", func(t *testing.T) {
		a := manual
		a.Availability.Away = true
		if ok, reason := Available(a, from); ok || reason != SkipOutOfOffice {
			t.Errorf("Available = (%v, %q), want (false, %q)", ok, reason, SkipOutOfOffice)
		}
	})
	t.Run("out of office wins over a bad time zone", func(t *testing.T) {
		a := sched
		a.TimeZone = "Nowhere/Atlantis"
		if ok, reason := Available(a, from); ok || reason != SkipOutOfOffice {
			t.Errorf("Available = (%v, %q), want (false, %q)", ok, reason, SkipOutOfOffice)
		}
	})
	t.Run("empty period never matches", func(t *testing.T) {
		a := ready("e")
		a.Availability.OutOfOffice = []helpdesk.Period{{From: from, To: from}}
		if ok, reason := Available(a, from); !ok {
			t.Errorf("Available = (%v, %q), want available", ok, reason)
		}
	})
}

// check runs Available for a schedule agent at each UTC instant.
type hoursCase struct {
	name string
	now  time.Time
	in   bool
}

func checkHours(t *testing.T, a helpdesk.Agent, cases []hoursCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, reason := Available(a, c.now)
			want := ""
			if !c.in {
				want = SkipOutsideHours
			}
			if ok != c.in || reason != want {
				t.Errorf("%s at %s: Available = (%v, %q), want (%v, %q)", a.TimeZone, c.now.Format(time.RFC3339Nano), ok, reason, c.in, want)
			}
		})
	}
}

func TestAvailableTimeZones(t *testing.T) {
	// January 2026: Paris is UTC+1 (CET), New York UTC-5 (EST), Tokyo UTC+9.
	// 2026-01-14 is a Wednesday, 2026-01-16 a Friday, 2026-01-18 a Sunday.
	paris := scheduled("Europe/Paris", weekdays("09:00", "17:00")...)
	ny := scheduled("America/New_York", weekdays("09:00", "17:00")...)
	tokyo := scheduled("Asia/Tokyo", weekdays("09:00", "17:00")...)

	instants := []struct {
		name           string
		now            time.Time
		paris, ny, tky bool
	}{
		// 10:00Z = 11:00 Paris, 05:00 New York, 19:00 Tokyo
		{"Wed 10:00Z", utc(2026, time.January, 14, 10, 0), true, false, false},
		// 17:00Z = 18:00 Paris, 12:00 New York, Thu 02:00 Tokyo
		{"Wed 17:00Z", utc(2026, time.January, 14, 17, 0), false, true, false},
		// 15:30Z = 16:30 Paris, 10:30 New York
		{"Wed 15:30Z", utc(2026, time.January, 14, 15, 30), true, true, false},
		// 22:30Z = 23:30 Paris, 17:30 New York, Thu 07:30 Tokyo
		{"Wed 22:30Z", utc(2026, time.January, 14, 22, 30), false, false, false},
		// 00:00Z Wed = 09:00 Wed Tokyo, 01:00 Paris, Tue 19:00 New York
		{"Wed 00:00Z", utc(2026, time.January, 14, 0, 0), false, false, true},
		// Fri 21:00Z = Fri 16:00 New York, 22:00 Paris, Sat 06:00 Tokyo
		{"Fri 21:00Z", utc(2026, time.January, 16, 21, 0), false, true, false},
		// Fri 23:30Z = Sat 00:30 Paris, Fri 18:30 New York
		{"Fri 23:30Z", utc(2026, time.January, 16, 23, 30), false, false, false},
		// Sat 12:00Z: weekend everywhere
		{"Sat 12:00Z", utc(2026, time.January, 17, 12, 0), false, false, false},
		// Sun 02:00Z: Sunday everywhere (11:00 in Tokyo)
		{"Sun 02:00Z", utc(2026, time.January, 18, 2, 0), false, false, false},
		// Mon 03:00Z = Sun 22:00 New York, Mon 04:00 Paris, Mon 12:00 Tokyo
		{"Mon 03:00Z", utc(2026, time.January, 19, 3, 0), false, false, true},
	}
	for _, tt := range instants {
		for _, z := range []struct {
			a  helpdesk.Agent
			in bool
		}{{paris, tt.paris}, {ny, tt.ny}, {tokyo, tt.tky}} {
			checkHours(t, z.a, []hoursCase{{tt.name + " " + z.a.TimeZone, tt.now, z.in}})
		}
	}

	t.Run("boundaries Paris", func(t *testing.T) {
		checkHours(t, paris, []hoursCase{
			{"08:59:59.999 local", utc(2026, time.January, 14, 8, 0).Add(-time.Millisecond), false},
			{"08:59 local", utc(2026, time.January, 14, 7, 59), false},
			{"09:00 local", utc(2026, time.January, 14, 8, 0), true},
			{"16:59:59 local", utc(2026, time.January, 14, 16, 0).Add(-time.Second), true},
			{"17:00 local", utc(2026, time.January, 14, 16, 0), false},
		})
	})
	t.Run("boundaries New York", func(t *testing.T) {
		checkHours(t, ny, []hoursCase{
			{"08:59 local", utc(2026, time.January, 14, 13, 59), false},
			{"09:00 local", utc(2026, time.January, 14, 14, 0), true},
			{"16:59 local", utc(2026, time.January, 14, 21, 59), true},
			{"17:00 local", utc(2026, time.January, 14, 22, 0), false},
		})
	})
	t.Run("weekend", func(t *testing.T) {
		checkHours(t, paris, []hoursCase{
			{"Sat 10:00 local", utc(2026, time.January, 17, 9, 0), false},
			{"Sun 10:00 local", utc(2026, time.January, 18, 9, 0), false},
			{"Mon 10:00 local", utc(2026, time.January, 19, 9, 0), true},
		})
	})
	t.Run("local weekday differs from UTC's", func(t *testing.T) {
		// Pacific/Auckland is UTC+13 (NZDT) in January.
		checkHours(t, scheduled("Pacific/Auckland", weekdays("09:00", "17:00")...), []hoursCase{
			{"Sun 19:59Z = Mon 08:59", utc(2026, time.January, 18, 19, 59), false},
			{"Sun 20:00Z = Mon 09:00", utc(2026, time.January, 18, 20, 0), true},
			{"Fri 03:59Z = Fri 16:59", utc(2026, time.January, 16, 3, 59), true},
			{"Fri 04:00Z = Fri 17:00", utc(2026, time.January, 16, 4, 0), false},
			{"Fri 20:00Z = Sat 09:00", utc(2026, time.January, 16, 20, 0), false},
		})
	})
	t.Run("instant's own zone is irrelevant", func(t *testing.T) {
		// 09:00 Paris expressed in New York time.
		ny, _ := time.LoadLocation("America/New_York")
		checkHours(t, paris, []hoursCase{{"09:00 Paris as 03:00 NY", utc(2026, time.January, 14, 8, 0).In(ny), true}})
	})
}

func TestAvailableShifts(t *testing.T) {
	// 2026-01-15 Thursday, 16 Friday, 17 Saturday, 18 Sunday, 19 Monday; UTC
	// and Paris (UTC+1 in January).
	friNight := []helpdesk.WorkingHours{{Day: time.Friday, Start: "22:00", End: "06:00"}}
	for _, tz := range []struct {
		name   string
		offset int // hours east of UTC in January
	}{{"UTC", 0}, {"Europe/Paris", 1}} {
		local := func(d, hh, mm int) time.Time {
			return utc(2026, time.January, d, hh, mm).Add(-time.Duration(tz.offset) * time.Hour)
		}
		t.Run("overnight "+tz.name, func(t *testing.T) {
			checkHours(t, scheduled(tz.name, friNight...), []hoursCase{
				{"Fri 21:59", local(16, 21, 59), false},
				{"Fri 22:00", local(16, 22, 0), true},
				{"Fri 23:00", local(16, 23, 0), true},
				{"Fri 23:59", local(16, 23, 59), true},
				{"Sat 00:00", local(17, 0, 0), true},
				{"Sat 05:59", local(17, 5, 59), true},
				{"Sat 06:00", local(17, 6, 0), false},
				{"Sat 23:00", local(17, 23, 0), false},
				{"Thu 23:00", local(15, 23, 0), false},
				{"Fri 05:00", local(16, 5, 0), false}, // Thursday has no shift
			})
		})
	}
	t.Run("overnight from Saturday into Sunday", func(t *testing.T) {
		checkHours(t, scheduled("UTC", helpdesk.WorkingHours{Day: time.Saturday, Start: "20:00", End: "04:00"}), []hoursCase{
			{"Sat 20:00", utc(2026, time.January, 17, 20, 0), true},
			{"Sun 03:59", utc(2026, time.January, 18, 3, 59), true},
			{"Sun 04:00", utc(2026, time.January, 18, 4, 0), false},
			{"Sat 03:00", utc(2026, time.January, 17, 3, 0), false},
		})
	})
	t.Run("overnight from Sunday into Monday", func(t *testing.T) {
		checkHours(t, scheduled("UTC", helpdesk.WorkingHours{Day: time.Sunday, Start: "23:00", End: "01:00"}), []hoursCase{
			{"Sun 23:30", utc(2026, time.January, 18, 23, 30), true},
			{"Mon 00:59", utc(2026, time.January, 19, 0, 59), true},
			{"Mon 01:00", utc(2026, time.January, 19, 1, 0), false},
			{"Sat 23:30", utc(2026, time.January, 17, 23, 30), false},
		})
	})
	t.Run("end 24:00", func(t *testing.T) {
		checkHours(t, scheduled("UTC", helpdesk.WorkingHours{Day: time.Monday, Start: "18:00", End: "24:00"}), []hoursCase{
			{"Mon 17:59", utc(2026, time.January, 19, 17, 59), false},
			{"Mon 18:00", utc(2026, time.January, 19, 18, 0), true},
			{"Mon 23:59:59", utc(2026, time.January, 19, 23, 59).Add(59 * time.Second), true},
			{"Tue 00:00", utc(2026, time.January, 20, 0, 0), false},
			{"Sun 23:00", utc(2026, time.January, 18, 23, 0), false},
		})
	})
	t.Run("whole day", func(t *testing.T) {
		checkHours(t, scheduled("UTC", helpdesk.WorkingHours{Day: time.Monday, Start: "00:00", End: "24:00"}), []hoursCase{
			{"Mon 00:00", utc(2026, time.January, 19, 0, 0), true},
			{"Mon 23:59", utc(2026, time.January, 19, 23, 59), true},
			{"Tue 00:00", utc(2026, time.January, 20, 0, 0), false},
			{"Sun 23:59", utc(2026, time.January, 18, 23, 59), false},
		})
	})
	t.Run("split day", func(t *testing.T) {
		checkHours(t, scheduled("UTC",
			helpdesk.WorkingHours{Day: time.Monday, Start: "08:00", End: "12:00"},
			helpdesk.WorkingHours{Day: time.Monday, Start: "13:30", End: "17:00"}), []hoursCase{
			{"Mon 11:59", utc(2026, time.January, 19, 11, 59), true},
			{"Mon 12:00", utc(2026, time.January, 19, 12, 0), false},
			{"Mon 13:29", utc(2026, time.January, 19, 13, 29), false},
			{"Mon 13:30", utc(2026, time.January, 19, 13, 30), true},
		})
	})
	t.Run("no hours", func(t *testing.T) {
		checkHours(t, scheduled("UTC"), []hoursCase{{"Mon 10:00", utc(2026, time.January, 19, 10, 0), false}})
	})
	t.Run("invalid intervals never match", func(t *testing.T) {
		checkHours(t, scheduled("UTC",
			helpdesk.WorkingHours{Day: time.Monday, Start: "9", End: "17:00"},
			helpdesk.WorkingHours{Day: time.Monday, Start: "09:00", End: "25:00"},
			helpdesk.WorkingHours{Day: time.Monday, Start: "10:00", End: "10:00"}), []hoursCase{
			{"Mon 10:00", utc(2026, time.January, 19, 10, 0), false},
			{"Mon 10:30", utc(2026, time.January, 19, 10, 30), false},
		})
	})
}

func TestAvailableBadTimeZone(t *testing.T) {
	now := utc(2026, time.January, 14, 10, 0)
	for _, tz := range []string{"", "Nowhere/Atlantis", "europe/paris-ish", "../../etc/passwd"} {
		t.Run(fmt.Sprintf("%q", tz), func(t *testing.T) {
			a := scheduled(tz, weekdays("00:00", "24:00")...)
			if ok, reason := Available(a, now); ok || reason != SkipBadTimeZone {
				t.Errorf("Available = (%v, %q), want (false, %q)", ok, reason, SkipBadTimeZone)
			}
		})
	}
	t.Run("manual mode ignores the time zone", func(t *testing.T) {
		a := ready("m")
		a.TimeZone = "Nowhere/Atlantis"
		if ok, reason := Available(a, now); !ok {
			t.Errorf("Available = (%v, %q), want available", ok, reason)
		}
	})
}

func TestAvailableDST(t *testing.T) {
	// Expectations computed by hand from the offsets:
	// Europe/Paris: CET UTC+1, CEST UTC+2; spring forward Sun 2026-03-29
	// 01:00Z, fall back Sun 2026-10-25 01:00Z.
	// America/New_York: EST UTC-5, EDT UTC-4; spring forward Sun 2026-03-08
	// 07:00Z, fall back Sun 2026-11-01 06:00Z.
	paris := scheduled("Europe/Paris", weekdays("09:00", "17:00")...)
	ny := scheduled("America/New_York", weekdays("09:00", "17:00")...)

	t.Run("Paris spring", func(t *testing.T) {
		checkHours(t, paris, []hoursCase{
			// Friday 2026-03-27, CET (UTC+1)
			{"Fri 07:30Z = 08:30 CET", utc(2026, time.March, 27, 7, 30), false},
			{"Fri 07:59Z = 08:59 CET", utc(2026, time.March, 27, 7, 59), false},
			{"Fri 08:00Z = 09:00 CET", utc(2026, time.March, 27, 8, 0), true},
			{"Fri 15:30Z = 16:30 CET", utc(2026, time.March, 27, 15, 30), true},
			{"Fri 16:00Z = 17:00 CET", utc(2026, time.March, 27, 16, 0), false},
			// Monday 2026-03-30, CEST (UTC+2)
			{"Mon 06:59Z = 08:59 CEST", utc(2026, time.March, 30, 6, 59), false},
			{"Mon 07:00Z = 09:00 CEST", utc(2026, time.March, 30, 7, 0), true},
			{"Mon 07:30Z = 09:30 CEST", utc(2026, time.March, 30, 7, 30), true},
			{"Mon 14:59Z = 16:59 CEST", utc(2026, time.March, 30, 14, 59), true},
			{"Mon 15:00Z = 17:00 CEST", utc(2026, time.March, 30, 15, 0), false},
			{"Mon 15:30Z = 17:30 CEST", utc(2026, time.March, 30, 15, 30), false},
		})
	})
	t.Run("Paris autumn", func(t *testing.T) {
		checkHours(t, paris, []hoursCase{
			// Friday 2026-10-23, CEST (UTC+2)
			{"Fri 06:59Z = 08:59 CEST", utc(2026, time.October, 23, 6, 59), false},
			{"Fri 07:00Z = 09:00 CEST", utc(2026, time.October, 23, 7, 0), true},
			{"Fri 14:59Z = 16:59 CEST", utc(2026, time.October, 23, 14, 59), true},
			{"Fri 15:00Z = 17:00 CEST", utc(2026, time.October, 23, 15, 0), false},
			{"Fri 15:30Z = 17:30 CEST", utc(2026, time.October, 23, 15, 30), false},
			// Monday 2026-10-26, CET (UTC+1)
			{"Mon 07:00Z = 08:00 CET", utc(2026, time.October, 26, 7, 0), false},
			{"Mon 07:30Z = 08:30 CET", utc(2026, time.October, 26, 7, 30), false},
			{"Mon 08:00Z = 09:00 CET", utc(2026, time.October, 26, 8, 0), true},
			{"Mon 15:30Z = 16:30 CET", utc(2026, time.October, 26, 15, 30), true},
			{"Mon 16:00Z = 17:00 CET", utc(2026, time.October, 26, 16, 0), false},
		})
	})
	t.Run("New York spring", func(t *testing.T) {
		checkHours(t, ny, []hoursCase{
			// Friday 2026-03-06, EST (UTC-5)
			{"Fri 13:30Z = 08:30 EST", utc(2026, time.March, 6, 13, 30), false},
			{"Fri 14:00Z = 09:00 EST", utc(2026, time.March, 6, 14, 0), true},
			{"Fri 21:59Z = 16:59 EST", utc(2026, time.March, 6, 21, 59), true},
			{"Fri 22:00Z = 17:00 EST", utc(2026, time.March, 6, 22, 0), false},
			// Monday 2026-03-09, EDT (UTC-4)
			{"Mon 12:59Z = 08:59 EDT", utc(2026, time.March, 9, 12, 59), false},
			{"Mon 13:00Z = 09:00 EDT", utc(2026, time.March, 9, 13, 0), true},
			{"Mon 13:30Z = 09:30 EDT", utc(2026, time.March, 9, 13, 30), true},
			{"Mon 20:59Z = 16:59 EDT", utc(2026, time.March, 9, 20, 59), true},
			{"Mon 21:00Z = 17:00 EDT", utc(2026, time.March, 9, 21, 0), false},
			{"Mon 21:30Z = 17:30 EDT", utc(2026, time.March, 9, 21, 30), false},
		})
	})
	t.Run("New York autumn", func(t *testing.T) {
		checkHours(t, ny, []hoursCase{
			// Friday 2026-10-30, EDT (UTC-4)
			{"Fri 12:59Z = 08:59 EDT", utc(2026, time.October, 30, 12, 59), false},
			{"Fri 13:00Z = 09:00 EDT", utc(2026, time.October, 30, 13, 0), true},
			{"Fri 20:59Z = 16:59 EDT", utc(2026, time.October, 30, 20, 59), true},
			{"Fri 21:00Z = 17:00 EDT", utc(2026, time.October, 30, 21, 0), false},
			// Monday 2026-11-02, EST (UTC-5)
			{"Mon 13:30Z = 08:30 EST", utc(2026, time.November, 2, 13, 30), false},
			{"Mon 14:00Z = 09:00 EST", utc(2026, time.November, 2, 14, 0), true},
			{"Mon 21:30Z = 16:30 EST", utc(2026, time.November, 2, 21, 30), true},
			{"Mon 22:00Z = 17:00 EST", utc(2026, time.November, 2, 22, 0), false},
		})
	})
	t.Run("Paris shift across the changeover night", func(t *testing.T) {
		// Saturday 22:00 to Sunday 06:00 local, the nights of both changes.
		a := scheduled("Europe/Paris", helpdesk.WorkingHours{Day: time.Saturday, Start: "22:00", End: "06:00"})
		checkHours(t, a, []hoursCase{
			// spring: Sat 2026-03-28 22:00 CET = 21:00Z; Sun 06:00 CEST = 04:00Z
			{"spring Sat 20:59Z = 21:59 CET", utc(2026, time.March, 28, 20, 59), false},
			{"spring Sat 21:00Z = 22:00 CET", utc(2026, time.March, 28, 21, 0), true},
			{"spring Sun 00:59Z = 01:59 CET", utc(2026, time.March, 29, 0, 59), true},
			{"spring Sun 01:00Z = 03:00 CEST", utc(2026, time.March, 29, 1, 0), true},
			{"spring Sun 03:59Z = 05:59 CEST", utc(2026, time.March, 29, 3, 59), true},
			{"spring Sun 04:00Z = 06:00 CEST", utc(2026, time.March, 29, 4, 0), false},
			// autumn: Sat 2026-10-24 22:00 CEST = 20:00Z; Sun 06:00 CET = 05:00Z
			{"autumn Sat 19:59Z = 21:59 CEST", utc(2026, time.October, 24, 19, 59), false},
			{"autumn Sat 20:00Z = 22:00 CEST", utc(2026, time.October, 24, 20, 0), true},
			{"autumn Sun 00:30Z = 02:30 CEST", utc(2026, time.October, 25, 0, 30), true},
			{"autumn Sun 01:30Z = 02:30 CET", utc(2026, time.October, 25, 1, 30), true},
			{"autumn Sun 04:59Z = 05:59 CET", utc(2026, time.October, 25, 4, 59), true},
			{"autumn Sun 05:00Z = 06:00 CET", utc(2026, time.October, 25, 5, 0), false},
		})
	})
}

func TestClock(t *testing.T) {
	good := map[string]int{
		"00:00": 0, "09:00": 540, "9:00": 540, "09:05": 545, "12:30": 750,
		"17:00": 1020, "23:59": 1439, "24:00": 1440,
	}
	for s, want := range good {
		if got, err := clock(s); err != nil || got != want {
			t.Errorf("clock(%q) = (%d, %v), want (%d, nil)", s, got, err, want)
		}
	}
	bad := []string{
		"", ":", "9", "0900", "09:0", "09:5", "9:5", "09:000", "09:60", "09:99",
		"24:01", "24:30", "25:00", "99:00", "-1:00", "09:-1", "ab:cd", "09:0a",
		" 9:00", "09:00 ", "09.00", "09:00:00", "nine",
	}
	for _, s := range bad {
		if got, err := clock(s); err == nil {
			t.Errorf("clock(%q) = %d, want an error", s, got)
		}
	}
}

func TestValidateHours(t *testing.T) {
	wh := func(d time.Weekday, s, e string) helpdesk.WorkingHours {
		return helpdesk.WorkingHours{Day: d, Start: s, End: e}
	}
	good := []struct {
		name  string
		hours []helpdesk.WorkingHours
	}{
		{"none", nil},
		{"weekdays", weekdays("09:00", "17:00")},
		{"one-digit hour", []helpdesk.WorkingHours{wh(time.Monday, "9:00", "17:00")}},
		{"overnight", []helpdesk.WorkingHours{wh(time.Friday, "22:00", "06:00")}},
		{"end 24:00", []helpdesk.WorkingHours{wh(time.Sunday, "18:00", "24:00")}},
		{"whole day", []helpdesk.WorkingHours{wh(time.Saturday, "00:00", "24:00")}},
		{"one minute", []helpdesk.WorkingHours{wh(time.Tuesday, "23:59", "24:00")}},
		{"split day", []helpdesk.WorkingHours{wh(time.Monday, "08:00", "12:00"), wh(time.Monday, "13:00", "17:00")}},
	}
	for _, tt := range good {
		t.Run("good/"+tt.name, func(t *testing.T) {
			if err := ValidateHours(tt.hours); err != nil {
				t.Errorf("ValidateHours = %v, want nil", err)
			}
		})
	}
	bad := []struct {
		name  string
		hours []helpdesk.WorkingHours
	}{
		{"one-digit minutes", []helpdesk.WorkingHours{wh(time.Monday, "09:0", "17:00")}},
		{"no minutes", []helpdesk.WorkingHours{wh(time.Monday, "9", "17:00")}},
		{"no colon", []helpdesk.WorkingHours{wh(time.Monday, "0900", "1700")}},
		{"empty start", []helpdesk.WorkingHours{wh(time.Monday, "", "17:00")}},
		{"empty end", []helpdesk.WorkingHours{wh(time.Monday, "09:00", "")}},
		{"seconds", []helpdesk.WorkingHours{wh(time.Monday, "09:00:00", "17:00")}},
		{"end 24:01", []helpdesk.WorkingHours{wh(time.Monday, "09:00", "24:01")}},
		{"end 25:00", []helpdesk.WorkingHours{wh(time.Monday, "09:00", "25:00")}},
		{"start 25:00", []helpdesk.WorkingHours{wh(time.Monday, "25:00", "09:00")}},
		{"minute 60", []helpdesk.WorkingHours{wh(time.Monday, "09:60", "17:00")}},
		{"negative", []helpdesk.WorkingHours{wh(time.Monday, "-1:00", "17:00")}},
		{"start == end", []helpdesk.WorkingHours{wh(time.Monday, "09:00", "09:00")}},
		{"00:00 == 00:00", []helpdesk.WorkingHours{wh(time.Monday, "00:00", "00:00")}},
		{"weekday -1", []helpdesk.WorkingHours{wh(-1, "09:00", "17:00")}},
		{"weekday 7", []helpdesk.WorkingHours{wh(7, "09:00", "17:00")}},
		{"bad after good", append(weekdays("09:00", "17:00"), wh(time.Saturday, "10:00", "10:00"))},
	}
	for _, tt := range bad {
		t.Run("bad/"+tt.name, func(t *testing.T) {
			err := ValidateHours(tt.hours)
			if err == nil {
				t.Fatal("ValidateHours = nil, want an error")
			}
			if code, reason := helpdesk.ErrorCode(err), helpdesk.ErrorReason(err); code != helpdesk.EInvalid || reason != "bad_working_hours" {
				t.Errorf("ValidateHours: code %q reason %q, want %q %q (%v)", code, reason, helpdesk.EInvalid, "bad_working_hours", err)
			}
		})
	}
}
