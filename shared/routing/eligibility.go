// Package routing decides who gets a ticket: a channel's rule picks the
// candidates, eligibility (seat, active, skills, availability) filters them,
// and a distribution (load balanced, round robin, random) picks one. The
// decision is pure; Router gathers its inputs from the table.
package routing

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // working hours need every IANA zone; Lambda's base image may have none

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Reasons a candidate is skipped (recorded on the ticket's activity).
const (
	SkipNoSeat       = "no_seat"
	SkipInactive     = "inactive"
	SkipMissingSkill = "missing_skill"
	SkipAway         = "away"
	SkipOutsideHours = "outside_working_hours"
	SkipOutOfOffice  = "out_of_office"
	SkipBadTimeZone  = "bad_time_zone"
	SkipUnknown      = "unknown_user"
)

// Eligible reports whether a can be routed a ticket under rule at now, and
// if not, why.
func Eligible(a helpdesk.Agent, rule helpdesk.RoutingRule, now time.Time) (bool, string) {
	switch {
	case !a.Seat:
		return false, SkipNoSeat
	case !a.Active:
		return false, SkipInactive
	}
	for _, s := range rule.Skills {
		if !hasSkill(a.Skills, s) {
			return false, SkipMissingSkill + ":" + s
		}
	}
	if rule.AnyAvailability {
		return true, ""
	}
	return Available(a, now)
}

func hasSkill(skills []string, want string) bool {
	for _, s := range skills {
		if strings.EqualFold(s, want) {
			return true
		}
	}
	return false
}

// Available reports whether a is available at now: not out of office and,
// by mode, not away (manual) or inside working hours (schedule) in the
// agent's own time zone, daylight-saving time included.
func Available(a helpdesk.Agent, now time.Time) (bool, string) {
	for _, p := range a.Availability.OutOfOffice {
		if !now.Before(p.From) && now.Before(p.To) {
			return false, SkipOutOfOffice
		}
	}
	if a.Availability.Mode != helpdesk.AvailabilitySchedule {
		if a.Availability.Away {
			return false, SkipAway
		}
		return true, ""
	}
	loc, err := time.LoadLocation(a.TimeZone)
	if err != nil || a.TimeZone == "" || a.TimeZone == "Local" {
		return false, SkipBadTimeZone
	}
	local := now.In(loc)
	minute := local.Hour()*60 + local.Minute()
	today, yesterday := local.Weekday(), (local.Weekday()+6)%7
	for _, h := range a.Availability.Hours {
		start, err1 := clock(h.Start)
		end, err2 := clock(h.End)
		if err1 != nil || err2 != nil {
			continue // invalid intervals are refused when saved; never match here
		}
		switch {
		case start < end: // same-day shift
			if h.Day == today && minute >= start && minute < end {
				return true, ""
			}
		case start > end: // overnight shift: [start, 24:00) today, [00:00, end) tomorrow
			if h.Day == today && minute >= start || h.Day == yesterday && minute < end {
				return true, ""
			}
		}
	}
	return false, SkipOutsideHours
}

// clock parses "H:MM" or "HH:MM" (00:00 to 24:00) into minutes after midnight.
func clock(s string) (int, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || !digits(hh, 1, 2) || !digits(mm, 2, 2) {
		return 0, fmt.Errorf("bad time of day %q, want HH:MM", s)
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, fmt.Errorf("bad time of day %q, want HH:MM", s)
	}
	return h*60 + m, nil
}

func digits(s string, minLen, maxLen int) bool {
	if len(s) < minLen || len(s) > maxLen {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// ValidateHours checks a weekly schedule (for the API that saves it).
func ValidateHours(hours []helpdesk.WorkingHours) error {
	for _, h := range hours {
		start, err := clock(h.Start)
		if err != nil {
			return helpdesk.Errorf(helpdesk.EInvalid, "bad_working_hours", "%v", err)
		}
		end, err := clock(h.End)
		if err != nil {
			return helpdesk.Errorf(helpdesk.EInvalid, "bad_working_hours", "%v", err)
		}
		if start == end || start == 24*60 || h.Day < time.Sunday || h.Day > time.Saturday {
			return helpdesk.Errorf(helpdesk.EInvalid, "bad_working_hours", "empty or invalid interval %v %s-%s", h.Day, h.Start, h.End)
		}
	}
	return nil
}
