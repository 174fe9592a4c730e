package helpdesk

import (
	"fmt"
)

// Bounds of the SLA settings, so the settings item (and its audit entry,
// which holds it twice) stays far inside DynamoDB's 400 KB.
const (
	MaxCalendars        = 20
	MaxSLAPolicies      = 50
	MaxIntervalsPerDay  = 10
	MaxHolidays         = 200
	MaxSLAMinutes       = 366 * 24 * 60 // a year
	maxSLAConditionSize = 100
)

// validate judges the SLA settings loosely: ids unique, what they refer to
// present where the settings can tell (calendars, categories; teams live
// elsewhere, so only their ids' shape), minutes not negative, a warning
// before its target. The business-time arithmetic (shared/bizhours)
// compiles the calendars; the admin API may check them further with it.
func (s SLASettings) validate(set Settings) error {
	invalid := func(reason, format string, args ...any) error {
		return Errorf(EInvalid, reason, "sla: "+format, args...)
	}
	switch {
	case len(s.Calendars) > MaxCalendars:
		return invalid("too_many_calendars", "at most %d calendars", MaxCalendars)
	case len(s.Policies) > MaxSLAPolicies:
		return invalid("too_many_sla_policies", "at most %d policies", MaxSLAPolicies)
	}
	cals := map[string]bool{}
	for _, c := range s.Calendars {
		switch {
		case c.ID == "" || len(c.ID) > maxSLAConditionSize:
			return invalid("calendar_id_invalid", "a calendar needs an id of 1 to %d characters", maxSLAConditionSize)
		case cals[c.ID]:
			return invalid("duplicate_calendar", "calendar %q is listed twice", c.ID)
		case len(c.Holidays) > MaxHolidays:
			return invalid("too_many_holidays", "calendar %q: at most %d holidays", c.ID, MaxHolidays)
		}
		cals[c.ID] = true
		for _, ivs := range c.Week {
			if len(ivs) > MaxIntervalsPerDay {
				return invalid("too_many_intervals", "calendar %q: at most %d intervals a day", c.ID, MaxIntervalsPerDay)
			}
		}
		// The zone, the intervals and the holidays are bizhours.Compile's
		// to check (admin compiles every calendar it saves).
	}
	known := func(id, what string) error {
		if id != "" && !cals[id] {
			return invalid("unknown_calendar", "%s names calendar %q, which does not exist", what, id)
		}
		return nil
	}
	if err := known(s.DefaultCalendar, "default_calendar"); err != nil {
		return err
	}
	for team, id := range s.TeamCalendars {
		if team == "" || id == "" {
			return invalid("team_calendar_invalid", "team_calendars maps team ids to calendar ids, neither empty")
		}
		if err := known(id, fmt.Sprintf("team %q", team)); err != nil {
			return err
		}
	}
	ids := map[string]bool{}
	for _, p := range s.Policies {
		switch {
		case p.ID == "" || len(p.ID) > maxSLAConditionSize:
			return invalid("sla_policy_id_invalid", "a policy needs an id of 1 to %d characters", maxSLAConditionSize)
		case ids[p.ID]:
			return invalid("duplicate_sla_policy", "policy %q is listed twice", p.ID)
		case p.Name == "":
			return invalid("sla_policy_name_required", "policy %q has no name", p.ID)
		case p.FirstResponseMinutes < 0 || p.NextResponseMinutes < 0 || p.CloseMinutes < 0 || p.WarnMinutes < 0:
			return invalid("sla_minutes_negative", "policy %q: minutes cannot be negative", p.ID)
		case max(p.FirstResponseMinutes, p.NextResponseMinutes, p.CloseMinutes, p.WarnMinutes) > MaxSLAMinutes:
			return invalid("sla_minutes_too_large", "policy %q: at most %d minutes", p.ID, MaxSLAMinutes)
		case p.FirstResponseMinutes == 0 && p.NextResponseMinutes == 0 && p.CloseMinutes == 0:
			return invalid("sla_policy_no_targets", "policy %q sets no target", p.ID)
		}
		ids[p.ID] = true
		for _, m := range []int{p.FirstResponseMinutes, p.NextResponseMinutes, p.CloseMinutes} {
			if m > 0 && p.WarnMinutes >= m {
				return invalid("sla_warn_not_before_target", "policy %q: the warning (%d minutes before) must come before a target of %d minutes", p.ID, p.WarnMinutes, m)
			}
		}
		for _, pr := range p.Priorities {
			if pr == "" || !pr.Valid() {
				return invalid("sla_priority_invalid", "policy %q: unknown priority %q", p.ID, pr)
			}
		}
		for _, k := range p.Channels {
			if !k.Valid() && k != ChannelOther {
				return invalid("sla_channel_invalid", "policy %q: unknown channel kind %q", p.ID, k)
			}
		}
		for _, t := range p.Teams {
			if t == "" || len(t) > maxSLAConditionSize {
				return invalid("sla_team_invalid", "policy %q: a team id of 1 to %d characters", p.ID, maxSLAConditionSize)
			}
		}
		for _, c := range p.Categories {
			if c == "" || (len(set.Categories) > 0 && !set.HasCategory(c)) {
				return invalid("sla_category_unknown", "policy %q: unknown category %q", p.ID, c)
			}
		}
		if p.BusinessHours && s.DefaultCalendar == "" && len(s.TeamCalendars) == 0 {
			return invalid("sla_no_calendar", "policy %q runs in business hours, and no calendar is set (default_calendar)", p.ID)
		}
	}
	return nil
}
