package storetest

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// slaSettings are the default settings with a calendar and two policies.
func slaSettings() helpdesk.Settings {
	set := helpdesk.DefaultSettings()
	set.SLA = helpdesk.SLASettings{
		DefaultCalendar: "paris", TeamCalendars: map[string]string{"us": "paris"},
		Calendars: []helpdesk.Calendar{{ID: "paris", Name: "Paris", TimeZone: "Europe/Paris",
			Week:     [7][]helpdesk.Interval{1: {{Start: "09:00", End: "12:30"}, {Start: "14:00", End: "18:00"}}, 5: {{Start: "22:00", End: "02:00"}}},
			Holidays: []helpdesk.Holiday{{Date: "12-25", Name: "Christmas", Yearly: true}, {Date: "2026-05-08"}}}},
		Policies: []helpdesk.SLAPolicy{
			{ID: "urgent", Name: "Urgent", Priorities: []helpdesk.Priority{helpdesk.PriorityUrgent}, Channels: []helpdesk.ChannelKind{helpdesk.ChannelForm},
				FirstResponseMinutes: 30, NextResponseMinutes: 60, CloseMinutes: 240, WarnMinutes: 10, BusinessHours: true, PauseWhenWaiting: true},
			{ID: "standard", Name: "Standard", FirstResponseMinutes: 120, CloseMinutes: 1440, WarnMinutes: 30},
		},
	}
	return set
}

// testSLARoundTrips: the SLA settings and a ticket's SLA clocks (the
// `sla` attribute of the settings and ticket items) read back as written,
// through every read of a ticket, and each later decision's clocks too.
func testSLARoundTrips(t *testing.T, f *fixture) {
	f.set = slaSettings()
	if err := f.st.CreateSettingsIfMissing(f.ctx, f.set); err != nil {
		t.Fatal(err)
	}
	got, err := f.st.GetSettings(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.SLA, f.set.SLA) {
		t.Fatalf("SLA settings read back\n%+v\nwant\n%+v", got.SLA, f.set.SLA)
	}

	tk := f.open("1", "ann@example.com", T0)
	if tk.SLA == nil || len(tk.SLA.Targets) != 2 || tk.SLA.NextCheckAt.IsZero() {
		t.Fatalf("decided SLA %+v", tk.SLA)
	}
	same := func(what string, got *helpdesk.SLA, want *helpdesk.SLA) {
		t.Helper()
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Fatalf("%s: SLA read back %s, want %s", what, g, w)
		}
	}
	same("header", f.header("1").SLA, tk.SLA)
	same("conversation", f.conv("1").Ticket.SLA, tk.SLA)
	ts, err := f.st.ListTickets(f.ctx, helpdesk.StateOpen, 10)
	if err != nil || len(ts) != 1 {
		t.Fatalf("list: %v %v", ts, err)
	}
	same("list row", ts[0].SLA, tk.SLA)

	// A reply meets the first response; the sweep's breach of the close
	// target; a pause: each persisted with its change.
	c := f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		c, _, err := ticket.Reply(t, mailChannel, ticket.ReplyInput{AgentID: "bob", Text: "On it."}, T0.Add(time.Minute))
		return c, err
	})
	same("after the reply", f.header("1").SLA, c.Ticket().SLA)
	if fr, _ := f.header("1").SLA.Target(helpdesk.SLAFirstResponse); !fr.MetAt.Equal(T0.Add(time.Minute)) {
		t.Fatalf("first response %+v, want met", fr)
	}
	c = f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.CheckSLA(t, nil, f.set, T0.Add(25*time.Hour))
	})
	same("after the sweep", f.header("1").SLA, c.Ticket().SLA)
	if cl, _ := f.header("1").SLA.Target(helpdesk.SLAClose); !cl.BreachedAt.Equal(T0.Add(24 * time.Hour)) {
		t.Fatalf("close %+v, want breached", cl)
	}

	// The sweep and an event racing: the sweep decided on the version it
	// read; the reply committed first; the sweep's change loses and
	// records nothing.
	f.open("2", "bob@example.com", T0)
	read := f.header("2")
	sweep, err := ticket.CheckSLA(read, nil, f.set, T0.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f.change("2", func(t helpdesk.Ticket) (ticket.Change, error) {
		c, _, err := ticket.Reply(t, mailChannel, ticket.ReplyInput{AgentID: "bob", Text: "Here."}, T0.Add(2*time.Hour))
		return c, err
	})
	if err := f.st.Commit(f.ctx, sweep); !ticket.Lost(err) {
		t.Fatalf("a sweep decided on an old version committed: %v", err)
	}
	if fr, _ := f.header("2").SLA.Target(helpdesk.SLAFirstResponse); !fr.WarnedAt.IsZero() || !fr.BreachedAt.IsZero() || !fr.MetAt.Equal(T0.Add(2*time.Hour)) {
		t.Fatalf("first response %+v: want met by the reply, never warned or breached", fr)
	}
}
