package helpdesk_test

import (
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func TestSLASettingsValidate(t *testing.T) {
	good := func() helpdesk.Settings {
		s := helpdesk.DefaultSettings()
		s.Categories = []helpdesk.Category{{ID: "billing", Name: "Billing"}}
		s.SLA = helpdesk.SLASettings{
			DefaultCalendar: "paris", TeamCalendars: map[string]string{"us": "ny"},
			Calendars: []helpdesk.Calendar{
				{ID: "paris", Name: "Paris", TimeZone: "Europe/Paris", Week: [7][]helpdesk.Interval{1: {{Start: "09:00", End: "12:00"}, {Start: "22:00", End: "02:00"}}},
					Holidays: []helpdesk.Holiday{{Date: "12-25", Yearly: true}, {Date: "2026-05-08"}}},
				{ID: "ny", Name: "NY", TimeZone: "America/New_York", Week: [7][]helpdesk.Interval{2: {{Start: "00:00", End: "24:00"}}}},
			},
			Policies: []helpdesk.SLAPolicy{{ID: "p1", Name: "Urgent billing", Priorities: []helpdesk.Priority{helpdesk.PriorityUrgent},
				Channels: []helpdesk.ChannelKind{helpdesk.ChannelEmail}, Teams: []string{"us"}, Categories: []string{"billing"},
				FirstResponseMinutes: 30, CloseMinutes: 600, WarnMinutes: 10, BusinessHours: true, PauseWhenWaiting: true}},
		}
		return s
	}
	if err := good().Validate(); err != nil {
		t.Fatalf("good settings refused: %v", err)
	}
	for reason, edit := range map[string]func(*helpdesk.SLASettings){
		"duplicate_calendar":         func(s *helpdesk.SLASettings) { s.Calendars[1].ID = "paris"; s.TeamCalendars = nil },
		"unknown_calendar":           func(s *helpdesk.SLASettings) { s.DefaultCalendar = "tokyo" },
		"duplicate_sla_policy":       func(s *helpdesk.SLASettings) { s.Policies = append(s.Policies, s.Policies[0]) },
		"sla_minutes_negative":       func(s *helpdesk.SLASettings) { s.Policies[0].NextResponseMinutes = -1 },
		"sla_warn_not_before_target": func(s *helpdesk.SLASettings) { s.Policies[0].WarnMinutes = 30 },
		"sla_category_unknown":       func(s *helpdesk.SLASettings) { s.Policies[0].Categories = []string{"nope"} },
		"sla_priority_invalid":       func(s *helpdesk.SLASettings) { s.Policies[0].Priorities = []helpdesk.Priority{"asap"} },
		"sla_policy_no_targets":      func(s *helpdesk.SLASettings) { s.Policies[0].FirstResponseMinutes, s.Policies[0].CloseMinutes = 0, 0 },
		"sla_no_calendar":            func(s *helpdesk.SLASettings) { s.DefaultCalendar, s.TeamCalendars = "", nil },
	} {
		s := good()
		edit(&s.SLA)
		if err := s.Validate(); helpdesk.ErrorReason(err) != reason {
			t.Errorf("%s: got %v", reason, err)
		}
	}
}
