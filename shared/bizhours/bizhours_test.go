package bizhours

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// iv is an interval "HH:MM-HH:MM".
func iv(s string) helpdesk.Interval { return helpdesk.Interval{Start: s[:5], End: s[6:]} }

// every returns a week with the same intervals each day.
func every(ivs ...string) [7][]helpdesk.Interval {
	var w [7][]helpdesk.Interval
	for d := range 7 {
		for _, s := range ivs {
			w[d] = append(w[d], iv(s))
		}
	}
	return w
}

// weekdays returns a week with the intervals Monday to Friday.
func weekdays(ivs ...string) [7][]helpdesk.Interval {
	w := every(ivs...)
	w[time.Saturday], w[time.Sunday] = nil, nil
	return w
}

func compile(t testing.TB, zone string, week [7][]helpdesk.Interval, hols ...helpdesk.Holiday) *Schedule {
	t.Helper()
	s, err := Compile(helpdesk.Calendar{ID: "c", TimeZone: zone, Week: week, Holidays: hols})
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return s
}

// at parses "2006-01-02 15:04" in zone; for a wall time shown twice (fall
// back) Go picks the first.
func at(t testing.TB, zone, v string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	r, err := time.ParseInLocation("2006-01-02 15:04", v, loc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func utc(t testing.TB, v string) time.Time {
	t.Helper()
	r, err := time.Parse("2006-01-02 15:04", v)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if !got.Equal(want) {
		t.Errorf("%s = %s (%s), want %s (%s)", what, got, got.UTC(), want, want.UTC())
	}
}

func wantDur(t *testing.T, what string, got, want time.Duration) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

func TestCompileErrors(t *testing.T) {
	ok := every("09:00-17:00")
	for _, c := range []struct {
		name, reason string
		cal          helpdesk.Calendar
	}{
		{"no zone", "time_zone_required", helpdesk.Calendar{Week: ok}},
		{"unknown zone", "unknown_time_zone", helpdesk.Calendar{TimeZone: "Europe/Atlantis", Week: ok}},
		{"Local", "unknown_time_zone", helpdesk.Calendar{TimeZone: "Local", Week: ok}},
		{"bad start", "invalid_interval", helpdesk.Calendar{TimeZone: "UTC", Week: every("9:00-17:00")}},
		{"start 24:00", "invalid_interval", helpdesk.Calendar{TimeZone: "UTC", Week: every("24:00-02:00")}},
		{"end 24:01", "invalid_interval", helpdesk.Calendar{TimeZone: "UTC", Week: every("09:00-24:01")}},
		{"minute 60", "invalid_interval", helpdesk.Calendar{TimeZone: "UTC", Week: every("09:60-17:00")}},
		{"hour 25", "invalid_interval", helpdesk.Calendar{TimeZone: "UTC", Week: every("09:00-25:00")}},
		{"letters", "invalid_interval", helpdesk.Calendar{TimeZone: "UTC", Week: every("ab:cd-17:00")}},
		{"no interval", "no_open_time", helpdesk.Calendar{TimeZone: "UTC"}},
		{"bad one-off", "invalid_holiday", helpdesk.Calendar{TimeZone: "UTC", Week: ok, Holidays: []helpdesk.Holiday{{Date: "2026-02-30"}}}},
		{"short one-off", "invalid_holiday", helpdesk.Calendar{TimeZone: "UTC", Week: ok, Holidays: []helpdesk.Holiday{{Date: "2026-2-3"}}}},
		{"yearly with year", "invalid_holiday", helpdesk.Calendar{TimeZone: "UTC", Week: ok, Holidays: []helpdesk.Holiday{{Date: "2026-12-25", Yearly: true}}}},
		{"yearly 02-30", "invalid_holiday", helpdesk.Calendar{TimeZone: "UTC", Week: ok, Holidays: []helpdesk.Holiday{{Date: "02-30", Yearly: true}}}},
		{"every date a holiday", "no_open_time", helpdesk.Calendar{TimeZone: "UTC", Week: ok, Holidays: allDates()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Compile(c.cal)
			if helpdesk.ErrorCode(err) != helpdesk.EInvalid || helpdesk.ErrorReason(err) != c.reason {
				t.Fatalf("Compile = %v, want invalid (%s)", err, c.reason)
			}
		})
	}
	// One date left open (Feb 29): compiles, and Add finds it.
	hols := allDates()[1:]
	if hols[0].Date != "01-02" {
		t.Fatal(hols[0])
	}
	hols = append(allDates()[:59], allDates()[60:]...) // all but 02-29
	s := compile(t, "UTC", ok, hols...)
	wantTime(t, "Add over 28 closed years", s.Add(utc(t, "2026-06-01 00:00"), time.Hour), utc(t, "2028-02-29 10:00"))
}

func allDates() []helpdesk.Holiday {
	var hs []helpdesk.Holiday
	for d := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() == 2000; d = d.AddDate(0, 0, 1) {
		hs = append(hs, helpdesk.Holiday{Date: d.Format("01-02"), Yearly: true})
	}
	return hs
}

func TestAroundTheClock(t *testing.T) {
	var c Clock = AroundTheClock{}
	a := at(t, "Europe/Paris", "2026-03-28 12:00")
	wantTime(t, "Add over spring forward", c.Add(a, 24*time.Hour), at(t, "Europe/Paris", "2026-03-29 13:00"))
	wantDur(t, "Between", c.Between(a, a.Add(90*time.Minute)), 90*time.Minute)
	wantDur(t, "Between reversed", c.Between(a.Add(time.Hour), a), 0)
	wantTime(t, "Add negative", c.Add(a, -time.Hour), a)
}

func TestOfficeHours(t *testing.T) {
	const z = "Europe/Paris"
	s := compile(t, z, weekdays("09:00-12:30", "13:30-17:30")) // 7.5 h a day
	// 2026-06-05 is a Friday.
	wantTime(t, "Add within the morning", s.Add(at(t, z, "2026-06-05 09:00"), 2*time.Hour), at(t, z, "2026-06-05 11:00"))
	wantTime(t, "Add across lunch", s.Add(at(t, z, "2026-06-05 12:00"), time.Hour), at(t, z, "2026-06-05 14:00"))
	wantTime(t, "Add ending at the close", s.Add(at(t, z, "2026-06-05 16:30"), time.Hour), at(t, z, "2026-06-05 17:30"))
	wantTime(t, "Add across the weekend", s.Add(at(t, z, "2026-06-05 17:00"), time.Hour), at(t, z, "2026-06-08 09:30"))
	wantTime(t, "Add 0 while closed", s.Add(at(t, z, "2026-06-06 10:00"), 0), at(t, z, "2026-06-08 09:00"))
	wantTime(t, "Add 0 while open", s.Add(at(t, z, "2026-06-05 10:07"), 0), at(t, z, "2026-06-05 10:07"))
	wantTime(t, "NextOpen at lunch", s.NextOpen(at(t, z, "2026-06-05 12:30")), at(t, z, "2026-06-05 13:30"))
	wantDur(t, "Between a week", s.Between(at(t, z, "2026-06-01 00:00"), at(t, z, "2026-06-08 00:00")), 5*7*time.Hour+150*time.Minute)
	// 30 business days = 6 weeks.
	// The least such instant: Friday's close, not Monday's opening.
	wantTime(t, "Add 30 business days", s.Add(at(t, z, "2026-06-01 09:00"), 30*450*time.Minute), at(t, z, "2026-07-10 17:30"))
	if s.Open(at(t, z, "2026-06-05 12:30")) || !s.Open(at(t, z, "2026-06-05 12:29")) || s.Open(at(t, z, "2026-06-06 10:00")) {
		t.Error("Open wrong around lunch or on Saturday")
	}
	wantDur(t, "Between reversed", s.Between(at(t, z, "2026-06-05 12:00"), at(t, z, "2026-06-05 10:00")), 0)
}

func TestMergedIntervals(t *testing.T) {
	s := compile(t, "UTC", every("09:00-12:00", "11:00-13:00", "12:30-12:45"))
	wantDur(t, "overlaps counted once", s.Between(utc(t, "2026-06-01 00:00"), utc(t, "2026-06-02 00:00")), 4*time.Hour)
	// Monday's overnight tail overlaps Tuesday's morning.
	var w [7][]helpdesk.Interval
	w[time.Monday] = []helpdesk.Interval{iv("22:00-06:00")}
	w[time.Tuesday] = []helpdesk.Interval{iv("05:00-09:00")}
	s = compile(t, "UTC", w)
	wantDur(t, "tail and morning merged", s.Between(utc(t, "2026-06-01 00:00"), utc(t, "2026-06-03 00:00")), 11*time.Hour)
}

func TestOvernightAcrossMidnight(t *testing.T) {
	const z = "America/New_York"
	var w [7][]helpdesk.Interval
	w[time.Friday] = []helpdesk.Interval{iv("22:00-02:00")}
	s := compile(t, z, w)
	// 2026-06-05 is a Friday; Saturday has no interval of its own.
	wantTime(t, "Add into Saturday", s.Add(at(t, z, "2026-06-05 23:00"), 2*time.Hour), at(t, z, "2026-06-06 01:00"))
	wantTime(t, "Add to the shift's end", s.Add(at(t, z, "2026-06-05 23:00"), 3*time.Hour), at(t, z, "2026-06-06 02:00"))
	wantTime(t, "Add past it: next Friday", s.Add(at(t, z, "2026-06-05 23:00"), 3*time.Hour+time.Minute), at(t, z, "2026-06-12 22:01"))
	if !s.Open(at(t, z, "2026-06-06 01:59")) || s.Open(at(t, z, "2026-06-06 02:00")) {
		t.Error("Open wrong at the tail's end")
	}
	// 24 h interval: 09:00-09:00.
	w = [7][]helpdesk.Interval{}
	w[time.Wednesday] = []helpdesk.Interval{iv("09:00-09:00")}
	s = compile(t, "UTC", w)
	wantDur(t, "09:00-09:00 is 24 h", s.Between(utc(t, "2026-06-01 00:00"), utc(t, "2026-06-08 00:00")), 24*time.Hour)
}

func TestEndAt2400(t *testing.T) {
	const z = "Asia/Kolkata"
	var w [7][]helpdesk.Interval
	w[time.Friday] = []helpdesk.Interval{iv("18:00-24:00")}
	w[time.Saturday] = []helpdesk.Interval{iv("00:00-24:00")}
	s := compile(t, z, w)
	wantDur(t, "Friday evening and all Saturday", s.Between(at(t, z, "2026-06-01 00:00"), at(t, z, "2026-06-08 00:00")), 30*time.Hour)
	wantTime(t, "Add through midnight", s.Add(at(t, z, "2026-06-05 23:00"), 2*time.Hour), at(t, z, "2026-06-06 01:00"))
	wantTime(t, "Add to Saturday's end", s.Add(at(t, z, "2026-06-05 18:00"), 30*time.Hour), at(t, z, "2026-06-07 00:00"))
	w[time.Saturday] = nil
	s = compile(t, z, w)
	r := s.Add(at(t, z, "2026-06-05 23:00"), time.Hour)
	wantTime(t, "Add to 24:00", r, at(t, z, "2026-06-06 00:00"))
	if s.Open(r) || !s.Open(r.Add(-time.Nanosecond)) {
		t.Error("24:00 should be the first closed instant")
	}
}

func TestMondaysOnly(t *testing.T) {
	const z = "Australia/Sydney"
	var w [7][]helpdesk.Interval
	w[time.Monday] = []helpdesk.Interval{iv("09:00-17:00")}
	s := compile(t, z, w)
	// 2026-06-01 is a Monday.
	wantTime(t, "from Tuesday", s.Add(at(t, z, "2026-06-02 10:00"), time.Hour), at(t, z, "2026-06-08 10:00"))
	wantTime(t, "carry to next Monday", s.Add(at(t, z, "2026-06-01 16:00"), 2*time.Hour), at(t, z, "2026-06-08 10:00"))
	wantTime(t, "30 business days", s.Add(at(t, z, "2026-06-01 09:00"), 30*8*time.Hour), at(t, z, "2026-12-21 17:00"))
	wantDur(t, "a year of Mondays", s.Between(at(t, z, "2026-01-01 00:00"), at(t, z, "2027-01-01 00:00")), 52*8*time.Hour)
}

func TestHolidays(t *testing.T) {
	const z = "Europe/Paris"
	s := compile(t, z, weekdays("09:00-17:00"),
		helpdesk.Holiday{Date: "12-25", Yearly: true, Name: "Christmas"},
		helpdesk.Holiday{Date: "2026-05-14", Name: "Ascension"},
		helpdesk.Holiday{Date: "02-29", Yearly: true})
	// 2026-12-24 is a Thursday; Christmas Friday; then the weekend.
	wantTime(t, "yearly: over Christmas 2026", s.Add(at(t, z, "2026-12-24 16:00"), 2*time.Hour), at(t, z, "2026-12-28 10:00"))
	wantTime(t, "yearly: over Christmas 2030", s.Add(at(t, z, "2030-12-24 16:00"), 2*time.Hour), at(t, z, "2030-12-26 10:00"))
	wantTime(t, "one-off: over Ascension 2026", s.Add(at(t, z, "2026-05-13 16:00"), 2*time.Hour), at(t, z, "2026-05-15 10:00"))
	wantTime(t, "one-off: not in 2027", s.Add(at(t, z, "2027-05-13 16:00"), 2*time.Hour), at(t, z, "2027-05-14 10:00"))
	// 2028-02-29 is a Tuesday; 2027 has no Feb 29: Feb 28 and Mar 1 stay open.
	wantTime(t, "02-29 in a leap year", s.Add(at(t, z, "2028-02-28 16:00"), 2*time.Hour), at(t, z, "2028-03-01 10:00"))
	wantDur(t, "02-29 in other years", s.Between(at(t, z, "2027-02-26 00:00"), at(t, z, "2027-03-02 00:00")), 16*time.Hour)
	if s.Open(at(t, z, "2026-12-25 10:00")) || !s.Open(at(t, z, "2026-12-24 10:00")) {
		t.Error("Open wrong on Christmas")
	}
}

// A holiday cancels the intervals that start on it (with their overnight
// tail); the overnight interval of the day before still runs into it.
func TestHolidayAndOvernight(t *testing.T) {
	const z = "UTC"
	s := compile(t, z, every("22:00-06:00"), helpdesk.Holiday{Date: "2026-12-25"})
	wantDur(t, "24th's shift runs into the 25th", s.Between(utc(t, "2026-12-24 12:00"), utc(t, "2026-12-25 12:00")), 8*time.Hour)
	wantDur(t, "25th's own shift is off, tail included", s.Between(utc(t, "2026-12-25 12:00"), utc(t, "2026-12-26 12:00")), 0)
	if !s.Open(utc(t, "2026-12-25 05:00")) || s.Open(utc(t, "2026-12-26 05:00")) || s.Open(utc(t, "2026-12-25 23:00")) {
		t.Error("Open wrong around the holiday")
	}
	wantTime(t, "Add skips the holiday's shift", s.Add(utc(t, "2026-12-25 05:00"), 2*time.Hour), utc(t, "2026-12-26 23:00"))
}

// Spring forward: Paris 2026-03-29 02:00 CET -> 03:00 CEST (01:00 UTC).
func TestDSTParisSpringForward(t *testing.T) {
	const z = "Europe/Paris"
	s := compile(t, z, every("01:00-04:00"))
	day, next := at(t, z, "2026-03-29 00:00"), at(t, z, "2026-03-30 00:00")
	wantDur(t, "01:00-04:00 on the day", s.Between(day, next), 2*time.Hour)
	wantTime(t, "Add jumps the gap", s.Add(day, 90*time.Minute), at(t, z, "2026-03-29 03:30"))
	wantTime(t, "in UTC", s.Add(day, 90*time.Minute), utc(t, "2026-03-29 01:30"))
	gap := compile(t, z, every("02:00-03:00"))
	wantDur(t, "02:00-03:00 does not exist", gap.Between(day, next), 0)
	wantTime(t, "so Add goes to the next day", gap.Add(day, 30*time.Minute), at(t, z, "2026-03-30 02:30"))
	wantDur(t, "but lasts an hour the day before", gap.Between(at(t, z, "2026-03-28 00:00"), day), time.Hour)
}

// Fall back: Paris 2026-10-25 03:00 CEST -> 02:00 CET (01:00 UTC).
func TestDSTParisFallBack(t *testing.T) {
	const z = "Europe/Paris"
	s := compile(t, z, every("02:00-03:00"))
	day, next := at(t, z, "2026-10-25 00:00"), at(t, z, "2026-10-26 00:00")
	wantDur(t, "02:00-03:00 lasts 2 h", s.Between(day, next), 2*time.Hour)
	wantTime(t, "Add 90 min from the first 02:00", s.Add(day, 90*time.Minute), utc(t, "2026-10-25 01:30")) // 02:30 CET, the second time
	wantTime(t, "Add 2 h ends at the second 03:00", s.Add(day, 2*time.Hour), utc(t, "2026-10-25 02:00"))
	if !s.Open(utc(t, "2026-10-25 00:30")) || !s.Open(utc(t, "2026-10-25 01:30")) || s.Open(utc(t, "2026-10-25 02:00")) {
		t.Error("both 02:30s are open, 03:00 CET is not")
	}
	wide := compile(t, z, every("01:00-04:00"))
	wantDur(t, "01:00-04:00 lasts 4 h", wide.Between(day, next), 4*time.Hour)
}

// Overnight 22:00-06:00 in Paris across both changes: 7 h in March, 9 h in
// October.
func TestDSTParisOvernight(t *testing.T) {
	const z = "Europe/Paris"
	s := compile(t, z, every("22:00-06:00"))
	wantDur(t, "night of 28-29 March", s.Between(at(t, z, "2026-03-28 12:00"), at(t, z, "2026-03-29 12:00")), 7*time.Hour)
	wantTime(t, "Add 7 h from 22:00", s.Add(at(t, z, "2026-03-28 22:00"), 7*time.Hour), at(t, z, "2026-03-29 06:00"))
	wantTime(t, "Add 7 h 1 min", s.Add(at(t, z, "2026-03-28 22:00"), 7*time.Hour+time.Minute), at(t, z, "2026-03-29 22:01"))
	wantDur(t, "night of 24-25 October", s.Between(at(t, z, "2026-10-24 12:00"), at(t, z, "2026-10-25 12:00")), 9*time.Hour)
	wantTime(t, "Add 9 h from 22:00", s.Add(at(t, z, "2026-10-24 22:00"), 9*time.Hour), at(t, z, "2026-10-25 06:00"))
	wantTime(t, "Add 5 h from 22:00", s.Add(at(t, z, "2026-10-24 22:00"), 5*time.Hour), utc(t, "2026-10-25 01:00")) // 02:00 CET, the second
}

// New York 2026: 03-08 02:00 EST -> 03:00 EDT; 11-01 02:00 EDT -> 01:00 EST.
func TestDSTNewYork(t *testing.T) {
	const z = "America/New_York"
	s := compile(t, z, every("00:00-24:00"))
	wantDur(t, "spring day is 23 h", s.Between(at(t, z, "2026-03-08 00:00"), at(t, z, "2026-03-09 00:00")), 23*time.Hour)
	wantDur(t, "fall day is 25 h", s.Between(at(t, z, "2026-11-01 00:00"), at(t, z, "2026-11-02 00:00")), 25*time.Hour)
	s = compile(t, z, every("01:00-02:00"))
	wantDur(t, "01:00-02:00 twice in November", s.Between(at(t, z, "2026-11-01 00:00"), at(t, z, "2026-11-02 00:00")), 2*time.Hour)
	wantTime(t, "Add runs through both 01:xx", s.Add(at(t, z, "2026-11-01 01:30"), time.Hour), utc(t, "2026-11-01 06:30")) // 01:30 EST
	s = compile(t, z, every("22:00-06:00"))
	wantDur(t, "overnight into spring forward", s.Between(at(t, z, "2026-03-07 12:00"), at(t, z, "2026-03-08 12:00")), 7*time.Hour)
	wantDur(t, "overnight into fall back", s.Between(at(t, z, "2026-10-31 12:00"), at(t, z, "2026-11-01 12:00")), 9*time.Hour)
	wantTime(t, "Add across the spring night", s.Add(at(t, z, "2026-03-07 23:00"), 6*time.Hour), at(t, z, "2026-03-08 06:00"))
}

// Sydney (southern hemisphere) 2026: 04-05 03:00 AEDT -> 02:00 AEST (DST
// ends); 10-04 02:00 AEST -> 03:00 AEDT (DST starts).
func TestDSTSydney(t *testing.T) {
	const z = "Australia/Sydney"
	s := compile(t, z, every("02:00-03:00"))
	wantDur(t, "April: 02:00-03:00 twice", s.Between(at(t, z, "2026-04-05 00:00"), at(t, z, "2026-04-06 00:00")), 2*time.Hour)
	wantDur(t, "October: 02:00-03:00 missing", s.Between(at(t, z, "2026-10-04 00:00"), at(t, z, "2026-10-05 00:00")), 0)
	s = compile(t, z, weekdays("08:00-18:00"), helpdesk.Holiday{Date: "2026-10-05", Name: "Labour Day"})
	wantTime(t, "Friday to Tuesday across DST and a holiday", s.Add(at(t, z, "2026-10-02 17:00"), 2*time.Hour), at(t, z, "2026-10-06 09:00"))
	s = compile(t, z, every("22:00-06:00"))
	wantDur(t, "overnight as DST ends", s.Between(at(t, z, "2026-04-04 12:00"), at(t, z, "2026-04-05 12:00")), 9*time.Hour)
	wantDur(t, "overnight as DST starts", s.Between(at(t, z, "2026-10-03 12:00"), at(t, z, "2026-10-04 12:00")), 7*time.Hour)
	wantTime(t, "Add across the April night", s.Add(at(t, z, "2026-04-04 22:00"), 8*time.Hour+30*time.Minute), at(t, z, "2026-04-05 05:30"))
}

// golang/go#81583: past the zone tables (2038+), in the last UTC day of a
// leap year, Go's ZoneBounds reports a zone end before the instant; Add
// and Between must neither stall nor skip.
func TestZoneBoundsLeapYearBug(t *testing.T) {
	for _, z := range []string{"Europe/Paris", "America/Havana", "Australia/Sydney"} {
		s := compile(t, z, every("00:00-24:00"))
		a := at(t, z, "2040-12-30 00:00")
		wantDur(t, z+" Between over 2040-12-31", s.Between(a, at(t, z, "2041-01-02 00:00")), 72*time.Hour)
		wantTime(t, z+" Add over 2040-12-31", s.Add(a, 72*time.Hour), at(t, z, "2041-01-02 00:00"))
		o := compile(t, z, every("09:00-17:00"))
		wantTime(t, z+" Add from 2044-12-31", o.Add(at(t, z, "2044-12-31 10:00"), 8*time.Hour), at(t, z, "2045-01-01 10:00"))
	}
	// And the DST changes of 2041+ (footer rule) still count.
	s := compile(t, "Europe/Paris", every("02:00-03:00"))
	wantDur(t, "2044 spring", s.Between(at(t, "Europe/Paris", "2044-03-27 00:00"), at(t, "Europe/Paris", "2044-03-28 00:00")), 0)
	wantDur(t, "2044 fall", s.Between(at(t, "Europe/Paris", "2044-10-30 00:00"), at(t, "Europe/Paris", "2044-10-31 00:00")), 2*time.Hour)
}

// A d no calendar reaches: Add stops after about 1000 years of days.
func TestAddHorizon(t *testing.T) {
	var w [7][]helpdesk.Interval
	w[time.Monday] = []helpdesk.Interval{iv("09:00-09:01")}
	s := compile(t, "Europe/Paris", w)
	a := at(t, "Europe/Paris", "2026-06-01 12:00")
	r := s.Add(a, 1<<62)
	if r.Year() < 2900 || r.Year() > 3100 {
		t.Fatalf("Add(huge) = %s, want about 1000 years on", r)
	}
	if got := (AroundTheClock{}).Add(a, 1<<62); !got.Equal(a.Add(1 << 62)) {
		t.Fatal(got)
	}
}

// Whatever an admin sends, Compile answers a value or an EInvalid error,
// never a panic.
func FuzzCompile(f *testing.F) {
	f.Add("Europe/Paris", "09:00", "17:00", "12-25", true)
	f.Add("UTC", "22:00", "06:00", "2026-02-29", false)
	f.Add("", "24:00", "24:00", "02-29", true)
	f.Add("Local", "9:0", "1700", "13-01", true)
	f.Fuzz(func(t *testing.T, zone, start, end, hol string, yearly bool) {
		c := helpdesk.Calendar{TimeZone: zone, Week: [7][]helpdesk.Interval{{{Start: start, End: end}}},
			Holidays: []helpdesk.Holiday{{Date: hol, Yearly: yearly}}}
		s, err := Compile(c)
		if err != nil {
			if helpdesk.ErrorCode(err) != helpdesk.EInvalid {
				t.Fatalf("Compile: %v is not EInvalid", err)
			}
			return
		}
		a := time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
		if got := s.Between(a, s.Add(a, 3*time.Hour)); got != 3*time.Hour {
			t.Fatalf("round trip %s", got)
		}
	})
}
