package bizhours

import (
	"flag"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Property tests: random calendars in zones with every kind of DST (none,
// northern, southern, 30 minutes, 45-minute offsets, transitions at
// midnight), random intervals (overnight, 24:00, around the DST hours),
// random holidays, random instants over 2019-2045 (half of them within
// days of a DST change) and random durations. The seed is fixed and
// printed on failure; -bizseed=N replays another.

var seedFlag = flag.Int64("bizseed", 20261130, "seed of the bizhours property tests")

var propZones = []string{
	"Europe/Paris", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
	"Pacific/Chatham", "UTC", "Australia/Lord_Howe", "America/Havana",
	"America/Santiago", "Africa/Casablanca",
}

type propCase struct {
	cal helpdesk.Calendar
	s   *Schedule
	ref *refCal
	loc *time.Location
}

func (c propCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "zone %s;", c.cal.TimeZone)
	for wd, ivs := range c.cal.Week {
		if len(ivs) > 0 {
			fmt.Fprintf(&b, " %s", time.Weekday(wd).String()[:3])
			for _, v := range ivs {
				fmt.Fprintf(&b, " %s-%s", v.Start, v.End)
			}
			b.WriteString(";")
		}
	}
	for _, h := range c.cal.Holidays {
		fmt.Fprintf(&b, " holiday %s", h.Date)
	}
	return b.String()
}

func randClock(r *rand.Rand) string {
	switch r.Intn(6) {
	case 0: // around the DST hours of most zones
		return []string{"00:00", "01:00", "01:30", "02:00", "02:30", "02:45", "03:00", "03:45", "23:00"}[r.Intn(9)]
	case 1:
		m := r.Intn(24*60) / 15 * 15
		return fmt.Sprintf("%02d:%02d", m/60, m%60)
	default:
		m := r.Intn(24 * 60)
		return fmt.Sprintf("%02d:%02d", m/60, m%60)
	}
}

func randCase(t testing.TB, r *rand.Rand) propCase {
	t.Helper()
	c := helpdesk.Calendar{ID: "p", TimeZone: propZones[r.Intn(len(propZones))]}
	for {
		for wd := range 7 {
			if r.Intn(3) == 0 {
				continue
			}
			for range 1 + r.Intn(3) {
				v := helpdesk.Interval{Start: randClock(r), End: randClock(r)}
				if r.Intn(8) == 0 {
					v.End = "24:00"
				}
				c.Week[wd] = append(c.Week[wd], v)
			}
		}
		if r.Intn(10) == 0 { // sparse: one day a week only
			keep := r.Intn(7)
			for wd := range 7 {
				if wd != keep {
					c.Week[wd] = nil
				}
			}
		}
		n := 0
		for _, ivs := range c.Week {
			n += len(ivs)
		}
		if n > 0 {
			break
		}
	}
	for range r.Intn(6) {
		d := time.Date(2019+r.Intn(13), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.Intn(366))
		c.Holidays = append(c.Holidays, helpdesk.Holiday{Date: d.Format("2006-01-02")})
	}
	for range r.Intn(4) {
		d := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.Intn(366))
		if r.Intn(6) == 0 {
			d = time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)
		}
		c.Holidays = append(c.Holidays, helpdesk.Holiday{Date: d.Format("01-02"), Yearly: true})
	}
	s, err := Compile(c)
	if err != nil {
		t.Fatalf("Compile(%v): %v", c, err)
	}
	return propCase{cal: c, s: s, ref: newRef(c), loc: s.Location()}
}

// randInstant: 2019-2045 (past the zone tables: 2038+ runs on the TZ
// footer rules), half of the time within ±3 days of a zone change, now and
// then on the last day of a leap year (golang/go#81583).
func randInstant(r *rand.Rand, loc *time.Location) time.Time {
	t := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int63n(int64(27 * 365 * 24 * time.Hour))))
	if r.Intn(20) == 0 {
		t = time.Date(2040+4*r.Intn(2), 12, 30, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int63n(int64(3 * 24 * time.Hour))))
	} else if r.Intn(2) == 0 {
		if _, end := t.In(loc).ZoneBounds(); !end.IsZero() {
			t = end.Add(time.Duration(r.Int63n(int64(6*24*time.Hour))) - 3*24*time.Hour)
		}
	}
	switch r.Intn(4) {
	case 0:
		return t.Truncate(time.Hour) // on boundaries often
	case 1:
		return t.Truncate(time.Minute)
	}
	return t
}

func randDuration(r *rand.Rand, max time.Duration) time.Duration {
	switch r.Intn(6) {
	case 0:
		return 0
	case 1:
		return time.Duration(1+r.Intn(16)) * 30 * time.Minute
	case 2:
		return time.Duration(r.Int63n(int64(2 * time.Hour)))
	}
	return time.Duration(r.Int63n(int64(max)))
}

func runProp(t *testing.T, n int, f func(t *testing.T, r *rand.Rand, c propCase) string) {
	seed := *seedFlag
	r := rand.New(rand.NewSource(seed))
	for i := range n {
		c := randCase(t, r)
		if msg := f(t, r, c); msg != "" {
			t.Fatalf("seed %d, case %d: %s\ncalendar: %v", seed, i, msg, c)
		}
	}
}

// Between(t, Add(t, d)) == d, and the last instant consumed is open: Add
// never ends inside a closed period, except exactly at an interval's end.
func TestPropAddBetweenRoundTrip(t *testing.T) {
	runProp(t, 4000, func(t *testing.T, r *rand.Rand, c propCase) string {
		for range 4 {
			a := randInstant(r, c.loc)
			d := randDuration(r, 60*24*time.Hour)
			res := c.s.Add(a, d)
			if got := c.s.Between(a, res); got != d {
				return fmt.Sprintf("Between(%s, Add(_, %s) = %s) = %s", a, d, res, got)
			}
			if res.Before(a) {
				return fmt.Sprintf("Add(%s, %s) = %s is before", a, d, res)
			}
			last := res.Add(-time.Nanosecond)
			if d == 0 {
				last = res // NextOpen
			}
			if !c.s.Open(last) || !c.ref.open(last) {
				return fmt.Sprintf("Add(%s, %s) = %s: %s is closed (Open %v, reference %v)", a, d, res, last, c.s.Open(last), c.ref.open(last))
			}
		}
		return ""
	})
}

// Add is monotonic in d and composes: Add(Add(t, d1), d2) == Add(t, d1+d2)
// for d1, d2 > 0.
func TestPropAddMonotonicAndComposes(t *testing.T) {
	runProp(t, 4000, func(t *testing.T, r *rand.Rand, c propCase) string {
		a := randInstant(r, c.loc)
		d1 := randDuration(r, 20*24*time.Hour)
		d2 := randDuration(r, 20*24*time.Hour)
		if d1 > d2 {
			d1, d2 = d2, d1
		}
		r1, r2 := c.s.Add(a, d1), c.s.Add(a, d2)
		if r2.Before(r1) || (d2 > d1 && !r2.After(r1)) {
			return fmt.Sprintf("from %s: Add %s = %s, Add %s = %s", a, d1, r1, d2, r2)
		}
		if d1 > 0 && d2 > 0 {
			if got, want := c.s.Add(r1, d2), c.s.Add(a, d1+d2); !got.Equal(want) {
				return fmt.Sprintf("from %s: Add(Add(_, %s), %s) = %s, Add(_, %s) = %s", a, d1, d2, got, d1+d2, want)
			}
		}
		return ""
	})
}

// Between(a, b) + Between(b, c) == Between(a, c).
func TestPropBetweenAdditive(t *testing.T) {
	runProp(t, 4000, func(t *testing.T, r *rand.Rand, c propCase) string {
		a := randInstant(r, c.loc)
		b := a.Add(time.Duration(r.Int63n(int64(40 * 24 * time.Hour))))
		e := b.Add(time.Duration(r.Int63n(int64(40 * 24 * time.Hour))))
		ab, bc, ac := c.s.Between(a, b), c.s.Between(b, e), c.s.Between(a, e)
		if ab+bc != ac {
			return fmt.Sprintf("Between(%s,%s)=%s + Between(_,%s)=%s != %s", a, b, ab, e, bc, ac)
		}
		return ""
	})
}

// Against a reference that reads the wall clock of every minute (t.In(loc))
// and applies the calendar's rules as written: Open, Between and Add over
// a few days, exactly to the nanosecond.
func TestPropAgainstReference(t *testing.T) {
	runProp(t, 600, func(t *testing.T, r *rand.Rand, c propCase) string {
		a := randInstant(r, c.loc)
		for k := range 20 {
			x := a.Add(time.Duration(r.Int63n(int64(3 * 24 * time.Hour))))
			if k == 0 {
				x = a
			}
			if got, want := c.s.Open(x), c.ref.open(x); got != want {
				return fmt.Sprintf("Open(%s = %s) = %v, reference %v", x, x.In(c.loc), got, want)
			}
		}
		b := a.Add(time.Duration(r.Int63n(int64(3 * 24 * time.Hour))))
		if got, want := c.s.Between(a, b), c.ref.between(a, b); got != want {
			return fmt.Sprintf("Between(%s, %s) = %s, reference %s", a, b, got, want)
		}
		d := randDuration(r, 12*time.Hour)
		if want, ok := c.ref.add(a, d, 10*24*time.Hour); ok {
			if got := c.s.Add(a, d); !got.Equal(want) {
				return fmt.Sprintf("Add(%s, %s) = %s, reference %s", a, d, got, want)
			}
		}
		return ""
	})
}

// refCal applies the calendar's rules to a local wall clock reading, as
// documented, without the package's day walk or zone segments.
type refCal struct {
	loc    *time.Location
	week   [7][][2]int // minutes; end > 1440 when overnight
	oneOff map[string]bool
	yearly map[string]bool
}

func newRef(c helpdesk.Calendar) *refCal {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		panic(err)
	}
	rc := &refCal{loc: loc, oneOff: map[string]bool{}, yearly: map[string]bool{}}
	hm := func(v string) int {
		var h, m int
		fmt.Sscanf(v, "%d:%d", &h, &m)
		return h*60 + m
	}
	for wd, ivs := range c.Week {
		for _, v := range ivs {
			s, e := hm(v.Start), hm(v.End)
			if e <= s {
				e += 1440
			}
			rc.week[wd] = append(rc.week[wd], [2]int{s, e})
		}
	}
	for _, h := range c.Holidays {
		if h.Yearly {
			rc.yearly[h.Date] = true
		} else {
			rc.oneOff[h.Date] = true
		}
	}
	return rc
}

func (rc *refCal) holiday(y int, m time.Month, d int) bool {
	day := time.Date(y, m, d, 12, 0, 0, 0, time.UTC)
	return rc.oneOff[day.Format("2006-01-02")] || rc.yearly[day.Format("01-02")]
}

func (rc *refCal) open(t time.Time) bool {
	lt := t.In(rc.loc)
	if _, off := lt.Zone(); off%60 != 0 {
		panic(fmt.Sprintf("%s: offset %ds is not whole minutes: the minute cells would be wrong", lt, off))
	}
	y, m, d := lt.Date()
	h, mi, s := lt.Clock()
	into := time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(s)*time.Second + time.Duration(lt.Nanosecond())
	if !rc.holiday(y, m, d) {
		for _, v := range rc.week[lt.Weekday()] {
			if into >= time.Duration(v[0])*time.Minute && into < time.Duration(v[1])*time.Minute {
				return true
			}
		}
	}
	if !rc.holiday(y, m, d-1) {
		for _, v := range rc.week[(lt.Weekday()+6)%7] {
			if v[1] > 1440 && into < time.Duration(v[1]-1440)*time.Minute {
				return true
			}
		}
	}
	return false
}

// Every offset of these zones since 2019 is whole minutes (open() checks) and so are their
// changes, so open/closed is constant over each UTC minute.
func minuteCells(t time.Time) (time.Time, time.Time) {
	s := t.Truncate(time.Minute)
	return s, s.Add(time.Minute)
}

func (rc *refCal) between(a, b time.Time) time.Duration {
	var total time.Duration
	for c := a; c.Before(b); {
		_, e := minuteCells(c)
		if e.After(b) {
			e = b
		}
		if rc.open(c) {
			total += e.Sub(c)
		}
		c = e
	}
	return total
}

// add is the least r with between(t, r) == d, walking minutes up to limit.
func (rc *refCal) add(t time.Time, d, limit time.Duration) (time.Time, bool) {
	for c := t; c.Before(t.Add(limit)); {
		_, e := minuteCells(c)
		if rc.open(c) {
			if n := e.Sub(c); d == 0 {
				return c, true
			} else if d <= n {
				return c.Add(d), true
			} else {
				d -= n
			}
		}
		c = e
	}
	return time.Time{}, false
}
