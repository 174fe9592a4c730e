package helpdesk

import (
	"testing"
	"time"
)

func TestDayNumber(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		at   time.Time
		want int64
	}{
		{time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), 0},
		{time.Date(1970, 1, 1, 23, 59, 59, 999999999, time.UTC), 0},
		{time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC), 1},
		{time.Date(2026, 11, 21, 23, 59, 0, 0, time.UTC), 20778},
		{time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC), 20807},
		// 00:30 in UTC+1 is still the previous UTC day.
		{time.Date(2026, 12, 21, 0, 30, 0, 0, paris), 20807},
		{time.Date(2026, 12, 21, 1, 0, 0, 0, paris), 20808},
	}
	for _, tt := range tests {
		if got := DayNumber(tt.at); got != tt.want {
			t.Errorf("DayNumber(%s) = %d, want %d", tt.at.Format(time.RFC3339Nano), got, tt.want)
		}
	}
}

func TestInLoadWindow(t *testing.T) {
	if LoadWindowDays != 30 {
		t.Fatalf("LoadWindowDays = %d, these cases assume 30", LoadWindowDays)
	}
	utc := func(y int, m time.Month, d, hh, mm, ss, ns int) time.Time {
		return time.Date(y, m, d, hh, mm, ss, ns, time.UTC)
	}
	at := utc(2026, time.November, 21, 23, 59, 0, 0) // day 0
	plus1 := time.FixedZone("+01", 3600)
	minus5 := time.FixedZone("-05", -5*3600)
	tests := []struct {
		name string
		at   time.Time
		now  time.Time
		want bool
	}{
		{"same instant", at, at, true},
		{"one minute later, next UTC day (day 1)", at, utc(2026, time.November, 22, 0, 0, 0, 0), true},
		{"day 29 at 00:00", at, utc(2026, time.December, 20, 0, 0, 0, 0), true},
		{"day 29 at noon", at, utc(2026, time.December, 20, 12, 0, 0, 0), true},
		{"day 29 at 23:59:59.999999999", at, utc(2026, time.December, 20, 23, 59, 59, 999999999), true},
		{"day 30 at 00:00", at, utc(2026, time.December, 21, 0, 0, 0, 0), false},
		{"day 30 at 23:59", at, utc(2026, time.December, 21, 23, 59, 0, 0), false},
		{"day 45", at, utc(2027, time.January, 5, 0, 0, 0, 0), false},
		{"assigned at 00:00, day 29 at 23:59", utc(2026, time.November, 21, 0, 0, 0, 0), utc(2026, time.December, 20, 23, 59, 0, 0), true},
		{"assigned at 00:00, day 30 at 00:00", utc(2026, time.November, 21, 0, 0, 0, 0), utc(2026, time.December, 21, 0, 0, 0, 0), false},
		// UTC days, whatever the zones of the values.
		{"now given in UTC+1, still UTC day 29", at, time.Date(2026, time.December, 21, 0, 30, 0, 0, plus1), true},
		{"now given in UTC+1, UTC day 30", at, time.Date(2026, time.December, 21, 1, 0, 0, 0, plus1), false},
		{"at given in UTC-5 (Nov 22 04:59Z, day 0 is Nov 22)", time.Date(2026, time.November, 21, 23, 59, 0, 0, minus5),
			utc(2026, time.December, 21, 12, 0, 0, 0), true},
		{"at given in UTC-5, day 30 is Dec 22", time.Date(2026, time.November, 21, 23, 59, 0, 0, minus5),
			utc(2026, time.December, 22, 0, 0, 0, 0), false},
		{"assigned in the future (next day)", utc(2026, time.December, 21, 0, 0, 0, 0), utc(2026, time.December, 20, 23, 59, 0, 0), false},
		{"assigned in the future (a week)", utc(2026, time.December, 27, 10, 0, 0, 0), utc(2026, time.December, 20, 10, 0, 0, 0), false},
		{"zero time", time.Time{}, utc(2026, time.December, 20, 0, 0, 0, 0), false},
		{"zero time, zero now", time.Time{}, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InLoadWindow(tt.at, tt.now); got != tt.want {
				t.Errorf("InLoadWindow(%s, %s) = %v, want %v", tt.at.Format(time.RFC3339Nano), tt.now.Format(time.RFC3339Nano), got, tt.want)
			}
		})
	}
}

func TestTicketCounted(t *testing.T) {
	assigned := time.Date(2026, time.November, 21, 23, 59, 0, 0, time.UTC)
	inside := time.Date(2026, time.December, 20, 18, 0, 0, 0, time.UTC)
	outside := time.Date(2026, time.December, 21, 0, 0, 0, 0, time.UTC)
	open := Ticket{ID: "t", State: StateOpen, OwnerID: "a", AssignedAt: assigned}
	with := func(f func(*Ticket)) Ticket { t := open; f(&t); return t }
	tests := []struct {
		name   string
		ticket Ticket
		now    time.Time
		want   bool
	}{
		{"open, owned, day 29", open, inside, true},
		{"open, owned, day 30", open, outside, false},
		{"closed", with(func(t *Ticket) { t.State = StateClosed }), inside, false},
		{"spam", with(func(t *Ticket) { t.State = StateSpam }), inside, false},
		{"no state", with(func(t *Ticket) { t.State = "" }), inside, false},
		{"unowned", with(func(t *Ticket) { t.OwnerID = "" }), inside, false},
		{"team only, unowned", with(func(t *Ticket) { t.OwnerID, t.TeamID = "", "t1" }), inside, false},
		{"never assigned", with(func(t *Ticket) { t.AssignedAt = time.Time{} }), inside, false},
		{"assigned in the future", with(func(t *Ticket) { t.AssignedAt = inside.Add(48 * time.Hour) }), inside, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ticket.Counted(tt.now); got != tt.want {
				t.Errorf("Counted(%s) = %v, want %v", tt.now.Format(time.RFC3339), got, tt.want)
			}
		})
	}
}

func TestLaterTheSameDayDoesNotCount(t *testing.T) {
	now := time.Date(2026, 12, 20, 9, 0, 0, 0, time.UTC)
	if InLoadWindow(now.Add(time.Hour), now) {
		t.Fatal("an assignment one hour in the future counts")
	}
	if !InLoadWindow(now, now) {
		t.Fatal("an assignment now does not count")
	}
}
