// Package bizhours is the business-time arithmetic of SLAs (issue 15): when
// is a target due, and how much business time has run between two instants,
// in a calendar's time zone, across DST and holidays. It is pure: no I/O, no
// clock; the standard library only.
//
// The rules, precisely:
//
//   - Open periods are wall-clock periods in the calendar's zone. An instant
//     is open when the zone's wall clock at that instant reads a time inside
//     an open interval of that local date (or inside the after-midnight tail
//     of an overnight interval of the day before).
//   - Business time is REAL elapsed time spent in open instants. So across
//     DST an interval lasts what it lasts on the wall: on Paris's
//     spring-forward day 02:00-03:00 never shows on the clock (0 minutes),
//     on its fall-back day 02:00-03:00 shows twice (2 hours); 22:00-06:00 is
//     7 hours on the last night of March and 9 on the last of October.
//   - An interval whose End is not after its Start runs overnight into the
//     next day ("22:00"-"06:00"; "09:00"-"09:00" is 24 hours); "24:00" is
//     allowed as an End. Overlapping intervals (also a tail overlapping the
//     next day's intervals) are merged, never counted twice.
//   - Holidays (Zammad's rule): a holiday cancels the intervals of its own
//     date — those that START on it, including an overnight interval's
//     after-midnight tail into the next day. An overnight interval that
//     started the day before still runs into the holiday until its end: a
//     shift belongs to the day it starts. Without overnight intervals a
//     holiday closes the whole local day. A yearly "02-29" closes Feb 29 of
//     leap years only (other years have no such day).
package bizhours

import (
	"time"
	_ "time/tzdata" // the Lambda runtime may ship no zoneinfo: embed it so every IANA zone loads

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Clock is business-time arithmetic: a Schedule (a calendar's business
// hours) or AroundTheClock (a 24/7 policy).
type Clock interface {
	// Add returns the instant when d of business time has elapsed after t.
	Add(t time.Time, d time.Duration) time.Time
	// Between returns the business time in [a, b) (0 when b is not after a).
	Between(a, b time.Time) time.Duration
}

// AroundTheClock is the Clock of policies that do not run in business
// hours: every instant is open.
type AroundTheClock struct{}

// Add returns t+d (t for d <= 0).
func (AroundTheClock) Add(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	return t.Add(d)
}

// Between returns b-a (0 when b is not after a).
func (AroundTheClock) Between(a, b time.Time) time.Duration {
	if !b.After(a) {
		return 0
	}
	return b.Sub(a)
}

const (
	minutesPerDay = 24 * 60
	// maxWalkDays bounds one Add's walk (about 1000 years of days): a
	// calendar whose openings are further apart than that, or a d beyond
	// it, is "never" in SLA terms.
	maxWalkDays = 1000 * 366
)

// span is an open stretch of one local day in minutes after its midnight,
// [start, end) with 0 <= start < end <= 1440.
type span struct{ start, end int32 }

// Schedule is a compiled Calendar. It is immutable and safe for concurrent
// use.
type Schedule struct {
	loc *time.Location
	// days holds each local day's merged open spans by weekday, whether the
	// day before is a holiday (its overnight tails then do not run into this
	// day) and whether this day is (its own intervals then do not open).
	days        [7][2][2][]span
	yearly      [13][32]bool
	oneOff      map[int32]bool // yyyymmdd
	hasHolidays bool
}

var _ Clock = (*Schedule)(nil)
var _ Clock = AroundTheClock{}

// Compile validates a calendar and prepares it for the arithmetic. Its
// errors are helpdesk EInvalid errors with a reason: time_zone_required,
// unknown_time_zone, invalid_interval, invalid_holiday, no_open_time (no
// interval at all, or yearly holidays on every date: Add would never
// finish).
func Compile(c helpdesk.Calendar) (*Schedule, error) {
	if c.TimeZone == "" {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "time_zone_required", "calendar %q: time_zone is required", c.ID)
	}
	if c.TimeZone == "Local" { // the host's zone: not a tenant's choice
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "unknown_time_zone", "calendar %q: %q is not an IANA time zone", c.ID, c.TimeZone)
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "unknown_time_zone", "calendar %q: unknown time zone %q", c.ID, c.TimeZone)
	}
	s := &Schedule{loc: loc}

	// own[wd]: the intervals that start on weekday wd; end may pass 1440
	// (overnight), up to 2879.
	var own [7][]span
	hasInterval := false
	for wd := range 7 {
		for i, iv := range c.Week[wd] {
			start, ok := parseClock(iv.Start, false)
			if !ok {
				return nil, helpdesk.Errorf(helpdesk.EInvalid, "invalid_interval", "calendar %q: %s interval %d: start %q is not HH:MM (00:00-23:59)", c.ID, time.Weekday(wd), i+1, iv.Start)
			}
			end, ok := parseClock(iv.End, true)
			if !ok {
				return nil, helpdesk.Errorf(helpdesk.EInvalid, "invalid_interval", "calendar %q: %s interval %d: end %q is not HH:MM (00:00-24:00)", c.ID, time.Weekday(wd), i+1, iv.End)
			}
			if end <= start {
				end += minutesPerDay
			}
			own[wd] = append(own[wd], span{start, end})
			hasInterval = true
		}
	}
	if !hasInterval {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "no_open_time", "calendar %q has no open interval", c.ID)
	}

	for i, h := range c.Holidays {
		if h.Yearly {
			// 2000 is a leap year, so "02-29" parses.
			d, err := time.Parse("2006-01-02", "2000-"+h.Date)
			if len(h.Date) != 5 || err != nil {
				return nil, helpdesk.Errorf(helpdesk.EInvalid, "invalid_holiday", "calendar %q: holiday %d: %q is not a yearly date MM-DD", c.ID, i+1, h.Date)
			}
			s.yearly[d.Month()][d.Day()] = true
		} else {
			d, err := time.Parse("2006-01-02", h.Date)
			if len(h.Date) != 10 || err != nil {
				return nil, helpdesk.Errorf(helpdesk.EInvalid, "invalid_holiday", "calendar %q: holiday %d: %q is not a date YYYY-MM-DD", c.ID, i+1, h.Date)
			}
			if s.oneOff == nil {
				s.oneOff = map[int32]bool{}
			}
			s.oneOff[dateKey(d.Date())] = true
		}
		s.hasHolidays = true
	}
	every := true
	for m := time.January; m <= time.December && every; m++ {
		for d := 1; d <= daysIn(m) && every; d++ {
			every = s.yearly[m][d]
		}
	}
	if every {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "no_open_time", "calendar %q: yearly holidays close every date", c.ID)
	}

	for wd := range 7 {
		prev := (wd + 6) % 7
		for yh := range 2 {
			for th := range 2 {
				var ss []span
				if th == 0 {
					for _, sp := range own[wd] {
						ss = append(ss, span{sp.start, min(sp.end, minutesPerDay)})
					}
				}
				if yh == 0 {
					for _, sp := range own[prev] {
						if sp.end > minutesPerDay {
							ss = append(ss, span{0, sp.end - minutesPerDay})
						}
					}
				}
				s.days[wd][yh][th] = merge(ss)
			}
		}
	}
	return s, nil
}

// Location is the calendar's time zone.
func (s *Schedule) Location() *time.Location { return s.loc }

// Open reports whether t is inside an open period.
func (s *Schedule) Open(t time.Time) bool {
	_, off := t.In(s.loc).Zone()
	w := wall(t, time.Duration(off)*time.Second)
	day := midnight(w)
	into := w.Sub(day)
	for _, sp := range s.spans(day, s.holiday(day.AddDate(0, 0, -1))) {
		if into >= minutes(sp.start) && into < minutes(sp.end) {
			return true
		}
	}
	return false
}

// NextOpen returns t when t is open, else the start of the next open
// period.
func (s *Schedule) NextOpen(t time.Time) time.Time { return s.Add(t, 0) }

// Add returns the instant r when d of business time has elapsed after t:
// the least r with Between(t, r) == d. For d > 0 the last business instant
// consumed, r minus a nanosecond, is open; r itself may be the (closed) end
// of an interval. Add(t, 0) is NextOpen(t): t when open, else the next
// opening. A negative d counts as 0. The result is in t's location.
//
// Cost: it walks the calendar a local day at a time (a few spans a day),
// never minute by minute; a walk longer than about 1000 years (d beyond
// any SLA) stops there and returns that instant.
func (s *Schedule) Add(t time.Time, d time.Duration) time.Time {
	if d < 0 {
		d = 0
	}
	cur := t
	walked := 0
	for {
		off, end := s.zone(cur)
		from := wall(cur, off)
		var to time.Time
		if !end.IsZero() {
			to = wall(end, off)
		}
		var res time.Time
		found := false
		last, n := s.walk(from, to, maxWalkDays-walked, func(a, b time.Time) bool {
			if n := b.Sub(a); d > n {
				d -= n
				return true
			}
			res, found = a.Add(d), true
			return false
		})
		if found {
			return res.Add(-off).In(t.Location())
		}
		walked += n
		if end.IsZero() || walked >= maxWalkDays {
			return last.Add(-off).In(t.Location())
		}
		cur = end
	}
}

// Between returns the business time in [a, b): the real time elapsed in
// open instants (0 when b is not after a). It saturates at the largest
// Duration (about 292 years).
func (s *Schedule) Between(a, b time.Time) time.Duration {
	var total time.Duration
	const maxDuration = time.Duration(1<<63 - 1)
	for a.Before(b) {
		off, end := s.zone(a)
		stop := b
		if !end.IsZero() && end.Before(b) {
			stop = end
		}
		s.walk(wall(a, off), wall(stop, off), -1, func(x, y time.Time) bool {
			n := y.Sub(x)
			if total > maxDuration-n {
				total = maxDuration
				return false
			}
			total += n
			return true
		})
		a = stop
	}
	return total
}

// zone returns the UTC offset in effect at t and the instant it ends (zero
// when it never does): within [t, end) wall time and real time move
// together.
func (s *Schedule) zone(t time.Time) (time.Duration, time.Time) {
	lt := t.In(s.loc)
	_, off := lt.Zone()
	_, end := lt.ZoneBounds()
	if !end.IsZero() && !end.After(t) {
		// golang/go#81583: in the last UTC day of a leap year served by the
		// zone's TZ footer rule (2040, 2044, ... with most zones) ZoneBounds
		// reports an end at or before t; the loops over zones would stall.
		end = s.nextChange(t, off)
	}
	return time.Duration(off) * time.Second, end
}

// nextChange finds the first whole second after t whose offset is not off,
// looking two days ahead (no zone changes its offset twice within two
// days); when there is none, that horizon is the end of a shorter zone.
func (s *Schedule) nextChange(t time.Time, off int) time.Time {
	offsetAt := func(sec int64) int {
		_, o := time.Unix(sec, 0).In(s.loc).Zone()
		return o
	}
	lo := t.Unix() // offset changes fall on whole seconds: lo's offset is t's
	hi := lo + 2*24*3600
	if offsetAt(hi) == off {
		return time.Unix(hi, 0)
	}
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if offsetAt(mid) == off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return time.Unix(hi, 0)
}

// walk calls f with each open wall-clock stretch inside [from, to), in
// order, until f returns false. Wall-clock times are UTC-located times
// whose fields read as the local clock (a clock without DST, so days are
// 24 hours). A zero to is unbounded; limit >= 0 bounds the days walked.
// It returns where it stopped (the end of the last stretch, or the day it
// gave up at) and the days walked.
func (s *Schedule) walk(from, to time.Time, limit int, f func(a, b time.Time) bool) (time.Time, int) {
	bounded := !to.IsZero()
	day := midnight(from)
	prevHoliday := s.holiday(day.AddDate(0, 0, -1))
	for n := 0; ; n++ {
		if bounded && !day.Before(to) {
			return to, n
		}
		if limit >= 0 && n >= limit {
			return day, n
		}
		hol := s.holiday(day)
		for _, sp := range s.days[day.Weekday()][b2i(prevHoliday)][b2i(hol)] {
			a, b := day.Add(minutes(sp.start)), day.Add(minutes(sp.end))
			if !b.After(from) {
				continue
			}
			if a.Before(from) {
				a = from
			}
			if bounded && b.After(to) {
				b = to
			}
			if !a.Before(b) {
				continue
			}
			if !f(a, b) {
				return b, n
			}
		}
		prevHoliday = hol
		day = day.Add(24 * time.Hour)
	}
}

// spans returns the open spans of the local day starting at wall midnight
// day.
func (s *Schedule) spans(day time.Time, prevHoliday bool) []span {
	return s.days[day.Weekday()][b2i(prevHoliday)][b2i(s.holiday(day))]
}

func (s *Schedule) holiday(day time.Time) bool {
	if !s.hasHolidays {
		return false
	}
	y, m, d := day.Date()
	return s.yearly[m][d] || s.oneOff[dateKey(y, m, d)]
}

// wall is t read on a wall clock offset off from UTC, as a UTC-located time.
func wall(t time.Time, off time.Duration) time.Time { return t.UTC().Add(off) }

func midnight(w time.Time) time.Time {
	y, m, d := w.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func minutes(m int32) time.Duration { return time.Duration(m) * time.Minute }

func dateKey(y int, m time.Month, d int) int32 { return int32(y*10000 + int(m)*100 + d) }

func daysIn(m time.Month) int {
	return time.Date(2000, m+1, 0, 0, 0, 0, 0, time.UTC).Day() // 2000: a leap year
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// parseClock parses "HH:MM" into minutes after midnight; "24:00" only when
// end.
func parseClock(v string, end bool) (int32, bool) {
	if len(v) != 5 || v[2] != ':' {
		return 0, false
	}
	for _, i := range []int{0, 1, 3, 4} {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	h := int32(v[0]-'0')*10 + int32(v[1]-'0')
	m := int32(v[3]-'0')*10 + int32(v[4]-'0')
	switch {
	case m > 59:
		return 0, false
	case h == 24 && m == 0 && end:
		return minutesPerDay, true
	case h > 23:
		return 0, false
	}
	return h*60 + m, true
}

// merge sorts spans and joins those that overlap or touch.
func merge(ss []span) []span {
	for i := 1; i < len(ss); i++ { // insertion sort: a handful of spans
		for j := i; j > 0 && ss[j].start < ss[j-1].start; j-- {
			ss[j], ss[j-1] = ss[j-1], ss[j]
		}
	}
	var out []span
	for _, sp := range ss {
		if n := len(out); n > 0 && sp.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, sp.end)
			continue
		}
		out = append(out, sp)
	}
	return out
}
