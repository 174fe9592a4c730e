package journeys_test

// Issue 15 on the console's settings page: an admin adds a business-hours
// calendar and an SLA policy. A time zone the API does not know is refused
// (bizhours compiles calendars on save) and shown by the calendars; the
// fixed calendar and the policy are stored, as GET /api/settings answers.

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
)

func TestAdminSettingsAddCalendarAndPolicy(t *testing.T) {
	s, b := start(t)
	began := time.Now()
	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0]) // alice, admin
	p.Click(browser.Role("link", "Pipelines and categories"))
	p.Wait(browser.Role("button", "Add a calendar"))
	p.WaitText("Changes apply to new events; tickets already running keep their due dates.")

	p.Click(browser.Role("button", "Add a calendar"))
	p.Wait(browser.Label("Calendar name"))
	if got := browser.Eval[string](p, `document.activeElement.id`); got != "cal-name-0" {
		t.Fatalf("after adding a calendar the focus is on %q, want its name", got)
	}
	p.Fill(browser.Label("Calendar name"), "Paris office")
	// A zone this browser lists and the server's tzdata does not know (an
	// older or newer database): the API is the judge.
	browser.Eval[bool](p, `(s => (s.add(new Option("Mars/Olympus_Mons", "Mars/Olympus_Mons")), true))(document.getElementById("cal-tz-0"))`)
	p.Select(browser.Label("Time zone of Paris office"), "Mars/Olympus_Mons")
	p.Click(browser.Role("button", "Save settings"))
	p.Wait(browser.CSS(`#cal-error`))
	if got := p.Text(browser.CSS(`#cal-error`)); !strings.Contains(got, "Mars/Olympus_Mons") {
		t.Fatalf("the calendars' error says %q, want the refused zone named", got)
	}
	p.Check("settings-sla-bad-zone")
	admin := token(t, s, s.demo.AgentEmails[0], s.demo.Password)
	if _, st := call(t, s, "GET", "/api/settings", admin, ""); st["sla"] != nil {
		if sla, _ := st["sla"].(map[string]any); len(sla["calendars"].([]any)) != 0 {
			t.Fatalf("a refused save stored the calendar: %v", st["sla"])
		}
	}

	p.Select(browser.Label("Time zone of Paris office"), "Europe/Paris")
	p.Click(browser.Role("button", "Add a holiday to Paris office"))
	if got := browser.Eval[string](p, `document.activeElement.id`); got != "cal-0-h0-date" {
		t.Fatalf("after adding a holiday the focus is on %q, want its date", got)
	}
	p.Fill(browser.Label("Holiday 1 date"), "12-25")
	p.Fill(browser.Label("Holiday 1 name"), "Christmas")
	p.Click(browser.Label("Holiday 1 every year (MM-DD)"))
	p.Select(browser.Label("Default calendar"), "Paris office")

	p.Click(browser.Role("button", "Add a policy"))
	if got := browser.Eval[string](p, `document.activeElement.id`); got != "pol-name-0" {
		t.Fatalf("after adding a policy the focus is on %q, want its name", got)
	}
	p.Fill(browser.Label("Policy name"), "Urgent")
	p.Click(browser.Label("urgent"))
	p.Click(browser.Label("email"))
	retype(p, browser.Label("First response"), "30") // Fill cannot clear a number field
	retype(p, browser.Label("Close"), "480")
	retype(p, browser.Label("Warn this many minutes before"), "10")
	p.Click(browser.Label("Business hours (the team's calendar, else the default)"))
	p.Click(browser.Role("button", "Save settings"))
	p.WaitText("Settings saved.")
	if p.Has(browser.CSS(`#cal-error`)) {
		t.Fatal("the zone's refusal is still shown after the save")
	}
	p.Check("settings-sla-saved")

	_, st := call(t, s, "GET", "/api/settings", admin, "")
	raw, _ := json.Marshal(st["sla"])
	var sla struct {
		DefaultCalendar string `json:"default_calendar"`
		Calendars       []struct {
			ID, Name string
			TimeZone string `json:"time_zone"`
			Week     [][]struct{ Start, End string }
			Holidays []struct {
				Date   string
				Name   string
				Yearly bool
			}
		}
		Policies []struct {
			ID, Name             string
			Priorities, Channels []string
			FirstResponseMinutes int  `json:"first_response_minutes"`
			CloseMinutes         int  `json:"close_minutes"`
			WarnMinutes          int  `json:"warn_minutes"`
			BusinessHours        bool `json:"business_hours"`
			PauseWhenWaiting     bool `json:"pause_when_waiting"`
		}
	}
	if err := json.Unmarshal(raw, &sla); err != nil {
		t.Fatal(err)
	}
	if sla.DefaultCalendar != "paris_office" || len(sla.Calendars) != 1 || len(sla.Policies) != 1 {
		t.Fatalf("stored sla: %s", raw)
	}
	c, pol := sla.Calendars[0], sla.Policies[0]
	if c.ID != "paris_office" || c.Name != "Paris office" || c.TimeZone != "Europe/Paris" || len(c.Week) != 7 ||
		len(c.Week[0]) != 0 || len(c.Week[1]) != 1 || c.Week[1][0].Start != "09:00" || c.Week[1][0].End != "17:00" ||
		len(c.Holidays) != 1 || c.Holidays[0].Date != "12-25" || !c.Holidays[0].Yearly || c.Holidays[0].Name != "Christmas" {
		t.Errorf("stored calendar: %s", raw)
	}
	if pol.ID != "urgent" || pol.Name != "Urgent" || len(pol.Priorities) != 1 || pol.Priorities[0] != "urgent" ||
		len(pol.Channels) != 1 || pol.Channels[0] != "email" || pol.FirstResponseMinutes != 30 || pol.CloseMinutes != 480 ||
		pol.WarnMinutes != 10 || !pol.BusinessHours || !pol.PauseWhenWaiting {
		t.Errorf("stored policy: %s", raw)
	}

	// A second policy moved first, and a team with its own calendar.
	p.Click(browser.Role("button", "Add a policy"))
	p.Fill(browser.CSS("#pol-name-1"), "Everything else")
	retype(p, browser.CSS("#pol-1-first"), "240")
	p.Click(browser.Role("button", "Move policy Everything else up"))
	if got := browser.Eval[string](p, `document.activeElement.id`); got != "pol-down-0" {
		t.Fatalf("after moving a policy to the top the focus is on %q, want its other arrow", got)
	}
	// A warning not before its target: refused, shown by the policies.
	retype(p, browser.CSS("#pol-0-warn"), "300")
	p.Click(browser.Role("button", "Save settings"))
	p.Wait(browser.CSS("#pol-error"))
	if got := p.Text(browser.CSS("#pol-error")); !strings.Contains(got, "warning") {
		t.Fatalf("the policies' error says %q, want the warning's reason", got)
	}
	retype(p, browser.CSS("#pol-0-warn"), "0")
	p.Click(browser.Role("button", "Give a team its own calendar"))
	team := browser.Eval[string](p, `(s => s.options.length ? s.options[0].text : "")(document.getElementById("tc-team-0"))`)
	if team == "" {
		t.Fatal("no team to give a calendar: the demo tenant has teams")
	}
	p.Select(browser.Label("Team 1"), team)
	p.Select(browser.Label("Calendar of team 1"), "Paris office")
	p.Click(browser.Role("button", "Save settings"))
	p.WaitText("Settings saved.")
	p.Check("settings-sla-reordered")
	_, st = call(t, s, "GET", "/api/settings", admin, "")
	raw, _ = json.Marshal(st["sla"])
	var after struct {
		TeamCalendars map[string]string `json:"team_calendars"`
		Policies      []struct {
			ID                   string
			FirstResponseMinutes int  `json:"first_response_minutes"`
			BusinessHours        bool `json:"business_hours"`
		}
	}
	if err := json.Unmarshal(raw, &after); err != nil {
		t.Fatal(err)
	}
	if len(after.Policies) != 2 || after.Policies[0].ID != "everything_else" || after.Policies[0].FirstResponseMinutes != 240 ||
		after.Policies[0].BusinessHours || after.Policies[1].ID != "urgent" {
		t.Errorf("policies after the move: %s", raw)
	}
	if len(after.TeamCalendars) != 1 || slices.Collect(maps.Values(after.TeamCalendars))[0] != "paris_office" {
		t.Errorf("team_calendars: %s", raw)
	}
	t.Logf("settings SLA journey: %s", time.Since(began).Round(time.Millisecond))
}
