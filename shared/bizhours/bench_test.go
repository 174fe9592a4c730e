package bizhours

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// benchSchedule: Paris office hours with lunch (7.5 h a day, Monday to
// Friday) and ten holidays, the common case.
func benchSchedule(b *testing.B) *Schedule {
	b.Helper()
	var hols []helpdesk.Holiday
	for _, d := range []string{"01-01", "05-01", "05-08", "07-14", "08-15", "11-01", "11-11", "12-25"} {
		hols = append(hols, helpdesk.Holiday{Date: d, Yearly: true})
	}
	hols = append(hols, helpdesk.Holiday{Date: "2026-04-06"}, helpdesk.Holiday{Date: "2026-05-14"})
	return compile(b, "Europe/Paris", weekdays("09:00-12:30", "13:30-17:30"), hols...)
}

func benchAdd(b *testing.B, d time.Duration) {
	s := benchSchedule(b)
	// Fridays before the spring DST change: the walk crosses a weekend and a zone change.
	t := at(b, "Europe/Paris", "2026-03-27 15:10")
	b.ReportAllocs()
	var sink time.Time
	for i := 0; b.Loop(); i++ {
		sink = s.Add(t.Add(time.Duration(i%97)*time.Minute), d)
	}
	_ = sink
}

// 8 business hours: about a day and a half of calendar.
func BenchmarkAdd8BusinessHours(b *testing.B) { benchAdd(b, 8*time.Hour) }

// 30 business days of 7.5 h: six weeks of calendar.
func BenchmarkAdd30BusinessDays(b *testing.B) { benchAdd(b, 30*450*time.Minute) }

// Between over a month (reporting's measure of a target).
func BenchmarkBetweenMonth(b *testing.B) {
	s := benchSchedule(b)
	a := at(b, "Europe/Paris", "2026-03-10 10:00")
	e := a.AddDate(0, 1, 0)
	b.ReportAllocs()
	var sink time.Duration
	for b.Loop() {
		sink = s.Between(a, e)
	}
	_ = sink
}

// Compile: a calendar loads its zone (from the embedded tzdata when the
// host has none); callers may cache the Schedule, it is immutable.
func BenchmarkCompile(b *testing.B) {
	c := helpdesk.Calendar{TimeZone: "Europe/Paris", Week: weekdays("09:00-12:30", "13:30-17:30"),
		Holidays: []helpdesk.Holiday{{Date: "12-25", Yearly: true}, {Date: "2026-05-14"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(c); err != nil {
			b.Fatal(err)
		}
	}
}
