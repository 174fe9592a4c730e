package ticket_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// slaSet is the default settings with two policies around the clock:
// urgent tickets (30 min first response, 60 next, 4 h close, warned 10 min
// before, paused while waiting on the customer) and every other ticket
// (2 h, 4 h, 24 h, warned 30 min before, paused too).
func slaSet() helpdesk.Settings {
	set := helpdesk.DefaultSettings()
	set.SLA.Policies = []helpdesk.SLAPolicy{
		{ID: "urgent", Name: "Urgent", Priorities: []helpdesk.Priority{helpdesk.PriorityUrgent},
			FirstResponseMinutes: 30, NextResponseMinutes: 60, CloseMinutes: 240, WarnMinutes: 10, PauseWhenWaiting: true},
		{ID: "standard", Name: "Standard", FirstResponseMinutes: 120, NextResponseMinutes: 240, CloseMinutes: 1440,
			WarnMinutes: 30, PauseWhenWaiting: true},
	}
	return set
}

// slaDesk plays a ticket's events through the model, as the application
// would commit them: each decision reads the state the last one left.
type slaDesk struct {
	t   *testing.T
	set helpdesk.Settings
	tk  helpdesk.Ticket
	n   int
}

func newSLADesk(t *testing.T, prio helpdesk.Priority) *slaDesk {
	t.Helper()
	d := &slaDesk{t: t, set: slaSet()}
	m := inbound(mail, "s1", t0)
	m.Ticket.Priority = prio
	msg := helpdesk.Message{ID: "m-s1", Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: mail.Kind,
		AuthorContactID: "c1", Text: m.Text, CreatedAt: t0}
	c, _ := ticket.Open(ticket.Arrival{ID: "7", Inbound: m, Message: msg, Channel: mail, ContactID: "c1",
		SenderKey: "email#cus@example.com"}, d.set, t0)
	d.tk = *c.Ticket()
	d.tk.OwnerID, d.tk.AssignedAt = "ann", t0
	return d
}

func (d *slaDesk) apply(c ticket.Change, err error) ticket.Change {
	d.t.Helper()
	if err != nil {
		d.t.Fatal(err)
	}
	d.tk = *c.Ticket()
	return c
}

func (d *slaDesk) customer(at time.Time) {
	d.t.Helper()
	d.n++
	msg := helpdesk.Message{ID: "m-c" + string(rune('a'+d.n)), Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: mail.Kind,
		AuthorContactID: "c1", Text: "more", CreatedAt: at}
	d.apply(ticket.Append(d.tk, msg, "email#cus@example.com", nil, nil, d.set, at))
}

func (d *slaDesk) reply(at time.Time) {
	d.t.Helper()
	c, _, err := ticket.Reply(d.tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "On it."}, at)
	d.apply(c, err)
}

func (d *slaDesk) status(s string, at time.Time) {
	d.t.Helper()
	d.apply(ticket.SetStatus(d.tk, s, "ann", nil, d.set, at))
}

func (d *slaDesk) target(k helpdesk.SLATargetKind) helpdesk.SLATarget {
	d.t.Helper()
	tg, ok := d.tk.SLA.Target(k)
	if !ok {
		d.t.Fatalf("no %s target: %+v", k, d.tk.SLA)
	}
	return tg
}

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func TestSLAFirstResponseMetInTime(t *testing.T) {
	d := newSLADesk(t, "")
	if d.tk.SLA == nil || d.tk.SLA.PolicyID != "standard" || d.tk.SLA.CalendarID != "" {
		t.Fatalf("new ticket's SLA %+v, want the standard policy around the clock", d.tk.SLA)
	}
	fr := d.target(helpdesk.SLAFirstResponse)
	if !fr.StartedAt.Equal(t0) || !fr.DueAt.Equal(at(120)) || !fr.WarnAt.Equal(at(90)) || !d.tk.SLA.NextCheckAt.Equal(at(90)) {
		t.Fatalf("first response %+v, next check %v: want due at +2h, warned at +1h30", fr, d.tk.SLA.NextCheckAt)
	}
	if cl := d.target(helpdesk.SLAClose); !cl.DueAt.Equal(at(1440)) {
		t.Fatalf("close target %+v, want due at +24h", cl)
	}
	if _, ok := d.tk.SLA.Target(helpdesk.SLANextResponse); ok {
		t.Fatal("the customer's first message starts no next-response clock")
	}
	d.reply(at(60))
	fr = d.target(helpdesk.SLAFirstResponse)
	if !fr.MetAt.Equal(at(60)) || !fr.BreachedAt.IsZero() {
		t.Fatalf("first response after a reply at +1h: %+v, want met and not breached", fr)
	}
	if !d.tk.SLA.NextCheckAt.Equal(at(1410)) {
		t.Fatalf("next check %v, want the close target's warning at +23h30", d.tk.SLA.NextCheckAt)
	}
	if _, err := ticket.CheckSLA(d.tk, nil, d.set, at(120)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("sweep at the old due date after the target was met: %v, want no change", err)
	}
}

func TestSLAFirstResponseBreachedAnswerLate(t *testing.T) {
	d := newSLADesk(t, "")
	d.reply(at(180))
	fr := d.target(helpdesk.SLAFirstResponse)
	if !fr.MetAt.Equal(at(180)) || !fr.BreachedAt.Equal(at(120)) {
		t.Fatalf("first response answered at +3h: %+v, want met at +3h and breached at its due date +2h", fr)
	}
}

func TestSLANotesAndGreetingsDoNotCount(t *testing.T) {
	d := newSLADesk(t, "")
	before := *d.tk.SLA
	c, _, err := ticket.Note(d.tk, ticket.NoteInput{AgentID: "ann", Text: "looking"}, nil, at(10))
	d.apply(c, err)
	if fr := d.target(helpdesk.SLAFirstResponse); !fr.MetAt.IsZero() || !d.tk.SLA.NextCheckAt.Equal(before.NextCheckAt) {
		t.Fatalf("after a note: %+v, want the first response still running", fr)
	}
	// A Messenger page's greeting and instant reply are no agent's answer.
	p := page
	m := inbound(p, "mid.1", t0)
	c, _ = ticket.Open(ticket.Arrival{ID: "8", Inbound: m, Message: helpdesk.Message{ID: "m1", Direction: helpdesk.Inbound,
		ChannelID: p.ID, ChannelKind: p.Kind, Text: "hi", CreatedAt: t0}, Channel: p, ContactID: "c1", NewContact: true}, slaSet(), t0)
	if len(c.Messages) != 3 {
		t.Fatalf("messages %d, want the message, a greeting and an instant reply", len(c.Messages))
	}
	if fr, _ := c.Ticket().SLA.Target(helpdesk.SLAFirstResponse); !fr.MetAt.IsZero() {
		t.Fatalf("the greeting met the first response: %+v", fr)
	}
}

func TestSLANextResponseRestarts(t *testing.T) {
	d := newSLADesk(t, "")
	d.reply(at(60))
	d.customer(at(120))
	nr := d.target(helpdesk.SLANextResponse)
	if !nr.StartedAt.Equal(at(120)) || !nr.DueAt.Equal(at(360)) || !nr.MetAt.IsZero() {
		t.Fatalf("next response after the customer wrote at +2h: %+v, want due at +6h", nr)
	}
	d.customer(at(180)) // again, unanswered: the clock runs from the first
	if nr2 := d.target(helpdesk.SLANextResponse); !nr2.StartedAt.Equal(at(120)) {
		t.Fatalf("a second unanswered message restarted the clock: %+v", nr2)
	}
	d.reply(at(240))
	if nr = d.target(helpdesk.SLANextResponse); !nr.MetAt.Equal(at(240)) || !nr.BreachedAt.IsZero() {
		t.Fatalf("next response after the reply: %+v, want met at +4h", nr)
	}
	d.customer(at(300))
	nr = d.target(helpdesk.SLANextResponse)
	if !nr.StartedAt.Equal(at(300)) || !nr.MetAt.IsZero() || !nr.DueAt.Equal(at(540)) {
		t.Fatalf("next response after the customer wrote again: %+v, want a new clock from +5h", nr)
	}
	if fr := d.target(helpdesk.SLAFirstResponse); !fr.MetAt.Equal(at(60)) {
		t.Fatalf("first response %+v: its outcome must stay", fr)
	}
}

func TestSLAPausedWhileWaitingOnCustomerResumedByTheirReply(t *testing.T) {
	d := newSLADesk(t, helpdesk.PriorityUrgent)
	if d.tk.SLA.PolicyID != "urgent" {
		t.Fatalf("policy %q, want urgent", d.tk.SLA.PolicyID)
	}
	d.status("waiting_on_contact", at(20))
	fr := d.target(helpdesk.SLAFirstResponse)
	if !fr.Paused() || fr.Remaining != 10*time.Minute || !fr.DueAt.IsZero() || !d.tk.SLA.NextCheckAt.IsZero() {
		t.Fatalf("waiting on the customer: %+v, next check %v; want paused with 10 min left and nothing to check", fr, d.tk.SLA.NextCheckAt)
	}
	if _, err := ticket.CheckSLA(d.tk, nil, d.set, at(200)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("sweep while paused: %v, want no change", err)
	}
	d.customer(at(300))
	fr, cl := d.target(helpdesk.SLAFirstResponse), d.target(helpdesk.SLAClose)
	if fr.Paused() || !fr.DueAt.Equal(at(310)) || !fr.WarnAt.Equal(at(300)) || !cl.DueAt.Equal(at(300+220)) {
		t.Fatalf("after the customer's reply at +5h: first %+v close %+v; want resumed with their time left", fr, cl)
	}
	if !d.tk.SLA.NextCheckAt.Equal(at(300)) {
		t.Fatalf("next check %v, want the warning at once (less than 10 min left)", d.tk.SLA.NextCheckAt)
	}
	// Moving out of the waiting stage resumes too; into it again pauses.
	d.status("waiting_on_us", at(305))
	d.status("waiting_on_contact", at(306))
	if fr = d.target(helpdesk.SLAFirstResponse); !fr.Paused() || fr.Remaining != 4*time.Minute {
		t.Fatalf("into the waiting stage again at +306: %+v, want paused with 4 min left", fr)
	}
	d.status("waiting_on_us", at(400))
	if fr = d.target(helpdesk.SLAFirstResponse); fr.Paused() || !fr.DueAt.Equal(at(404)) {
		t.Fatalf("out of the waiting stage at +400: %+v, want due 4 min later", fr)
	}
}

func TestSLAPriorityRaisedMidFlightChangesThePolicy(t *testing.T) {
	d := newSLADesk(t, helpdesk.PriorityMedium)
	urgent := helpdesk.PriorityUrgent
	d.apply(ticket.SetProperties(d.tk, ticket.Properties{Priority: &urgent}, "ann", d.set, at(20)))
	if d.tk.SLA.PolicyID != "urgent" {
		t.Fatalf("policy %q after the priority went urgent, want urgent", d.tk.SLA.PolicyID)
	}
	fr, cl := d.target(helpdesk.SLAFirstResponse), d.target(helpdesk.SLAClose)
	if !fr.StartedAt.Equal(t0) || !fr.DueAt.Equal(at(30)) || !fr.WarnAt.Equal(at(20)) || fr.Budget != 30*time.Minute ||
		!cl.DueAt.Equal(at(240)) {
		t.Fatalf("first %+v close %+v: want the urgent minutes from creation (due +30 min, close +4 h)", fr, cl)
	}
	// An unrelated edit keeps the policy and its due dates.
	subject := "Refund, urgently"
	before := *d.tk.SLA
	d.apply(ticket.SetProperties(d.tk, ticket.Properties{Subject: &subject}, "ann", d.set, at(25)))
	if d.tk.SLA.PolicyID != before.PolicyID || !d.target(helpdesk.SLAFirstResponse).DueAt.Equal(at(30)) {
		t.Fatalf("a subject edit moved the SLA: %+v", d.tk.SLA)
	}
	// Lowered again after the urgent target breached: the breach stays.
	d.apply(ticket.CheckSLA(d.tk, nil, d.set, at(31)))
	low := helpdesk.PriorityLow
	d.apply(ticket.SetProperties(d.tk, ticket.Properties{Priority: &low}, "ann", d.set, at(40)))
	if fr = d.target(helpdesk.SLAFirstResponse); d.tk.SLA.PolicyID != "standard" || !fr.BreachedAt.Equal(at(30)) {
		t.Fatalf("after lowering: %+v, want the standard policy and the breach kept", fr)
	}
}

func TestSLATeamChangeThroughApplyReselects(t *testing.T) {
	d := newSLADesk(t, "")
	d.set.SLA.Policies = append([]helpdesk.SLAPolicy{{ID: "vip", Name: "VIP", Teams: []string{"vip"}, FirstResponseMinutes: 15}}, d.set.SLA.Policies...)
	team := "vip"
	d.apply(ticket.Apply(d.tk, 0, ticket.Edit{Team: &team}, nil, "ann", nil, d.set, at(5)))
	if d.tk.SLA.PolicyID != "vip" || !d.target(helpdesk.SLAFirstResponse).DueAt.Equal(at(15)) {
		t.Fatalf("moved to team vip: %+v, want the vip policy", d.tk.SLA)
	}
	if _, ok := d.tk.SLA.Target(helpdesk.SLAClose); ok {
		t.Fatal("the vip policy has no close target: the running one must go")
	}
}

func TestSLAMergeKeepsThePrimarysClocks(t *testing.T) {
	p := newSLADesk(t, "")
	s := newSLADesk(t, helpdesk.PriorityUrgent)
	s.tk.ID = "8"
	want := *p.tk.SLA
	c, err := ticket.Merge(p.tk, s.tk, "ann", at(10))
	if err != nil {
		t.Fatal(err)
	}
	primary, tomb := c.Tickets[0].After, c.Tickets[1].After
	if got, _ := json.Marshal(primary.SLA); string(got) != string(mustJSON(t, want)) {
		t.Fatalf("primary's SLA after the merge %s, want %s", got, mustJSON(t, want))
	}
	if tomb.SLA == nil || !tomb.SLA.NextCheckAt.IsZero() || len(tomb.SLA.Targets) != 2 {
		t.Fatalf("tombstone's SLA %+v: want its targets kept and nothing to check", tomb.SLA)
	}
	if _, err := ticket.CheckSLA(*tomb, nil, s.set, at(100)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("sweep of a tombstone: %v", err)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSLASplitStartsTheNewTicketsClocksAtTheSplit(t *testing.T) {
	conv := threeMails()
	old := newSLADesk(t, "").tk.SLA
	conv.Ticket.SLA = old
	now := t0.Add(5 * time.Hour)
	c, err := ticket.Split(conv, ticket.SplitInput{ID: "8", MessageIDs: []string{"m-a2"}, Subject: "Billing",
		Priority: helpdesk.PriorityUrgent, AgentID: "bob", Channel: mail}, slaSet(), now)
	if err != nil {
		t.Fatal(err)
	}
	nt, ot := c.Tickets[0].After, c.Tickets[1].After
	fr, _ := nt.SLA.Target(helpdesk.SLAFirstResponse)
	if nt.SLA == nil || nt.SLA.PolicyID != "urgent" || !fr.StartedAt.Equal(now) || !fr.DueAt.Equal(now.Add(30*time.Minute)) {
		t.Fatalf("new ticket's SLA %+v, want the urgent clocks from the split", nt.SLA)
	}
	if string(mustJSON(t, ot.SLA)) != string(mustJSON(t, old)) {
		t.Fatalf("the old ticket's SLA moved: %s, want %s", mustJSON(t, ot.SLA), mustJSON(t, old))
	}
}

func TestSLACloseMeetsAndStopsReopenStartsANextResponse(t *testing.T) {
	d := newSLADesk(t, "")
	d.status("closed", at(60))
	fr, cl := d.target(helpdesk.SLAFirstResponse), d.target(helpdesk.SLAClose)
	if !cl.MetAt.Equal(at(60)) || fr.StoppedAt.IsZero() || !fr.MetAt.IsZero() || !fr.BreachedAt.IsZero() || !d.tk.SLA.NextCheckAt.IsZero() {
		t.Fatalf("closed unanswered: first %+v close %+v; want close met, first response stopped", fr, cl)
	}
	d.customer(at(600)) // reopens
	if d.tk.State != helpdesk.StateOpen {
		t.Fatalf("state %s", d.tk.State)
	}
	nr := d.target(helpdesk.SLANextResponse)
	cl = d.target(helpdesk.SLAClose)
	if !nr.StartedAt.Equal(at(600)) || !cl.MetAt.Equal(at(60)) || !d.tk.SLA.NextCheckAt.Equal(at(600+210)) {
		t.Fatalf("close %+v (met once, not restarted), next check %v", cl, d.tk.SLA.NextCheckAt)
	}
}

func TestCheckSLAWarnsThenBreachesEachOnce(t *testing.T) {
	d := newSLADesk(t, "")
	aud := ticket.Audience{"ann": {Agent: ann}}
	if _, err := ticket.CheckSLA(d.tk, aud, d.set, at(89)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("sweep before the warning: %v", err)
	}
	c := d.apply(ticket.CheckSLA(d.tk, aud, d.set, at(91)))
	fr := d.target(helpdesk.SLAFirstResponse)
	if !fr.WarnedAt.Equal(at(91)) || !fr.BreachedAt.IsZero() || !d.tk.SLA.NextCheckAt.Equal(at(120)) {
		t.Fatalf("after the warning: %+v, next check %v", fr, d.tk.SLA.NextCheckAt)
	}
	if len(c.Notifications) != 1 || c.Notifications[0].Kind != helpdesk.NotifySLAWarning || c.Notifications[0].Recipient != helpdesk.AgentRecipient("ann") {
		t.Fatalf("notifications %+v, want one sla_warning to ann", c.Notifications)
	}
	if len(c.Jobs) != 1 || !strings.Contains(onlyJob(t, c), "SLA warning (first response due soon)") {
		t.Fatalf("jobs %v, want ann's email", c.Jobs)
	}
	if len(c.Tickets) != 1 || c.Tickets[0].Before == nil || c.Tickets[0].Before.Version+1 != d.tk.Version {
		t.Fatal("the sweep's change must be conditioned on the version it read")
	}
	if _, err := ticket.CheckSLA(d.tk, aud, d.set, at(100)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("second sweep before the due date: %v, want no second warning", err)
	}
	c = d.apply(ticket.CheckSLA(d.tk, aud, d.set, at(121)))
	fr = d.target(helpdesk.SLAFirstResponse)
	if !fr.BreachedAt.Equal(at(120)) || !fr.WarnedAt.Equal(at(91)) || len(c.Notifications) != 1 || c.Notifications[0].Kind != helpdesk.NotifySLABreach {
		t.Fatalf("after the due date: %+v, notifications %+v", fr, c.Notifications)
	}
	if _, err := ticket.CheckSLA(d.tk, aud, d.set, at(122)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("second sweep after the breach: %v, want none", err)
	}
	// Answered late now: met, and the breach stays as recorded.
	d.reply(at(130))
	if fr = d.target(helpdesk.SLAFirstResponse); !fr.MetAt.Equal(at(130)) || !fr.BreachedAt.Equal(at(120)) {
		t.Fatalf("answered after the breach: %+v", fr)
	}
}

func onlyJob(t *testing.T, c ticket.Change) string {
	t.Helper()
	for _, body := range c.Jobs {
		env, err := jobs.DecodeEnvelope(body)
		var n jobs.NotificationEmail
		if err == nil {
			err = json.Unmarshal(env.Payload, &n)
		}
		if err != nil || env.Kind != jobs.KindNotificationEmail {
			t.Fatalf("job %s: %v", env.Kind, err)
		}
		return n.Subject
	}
	return ""
}

// An agent who turned SLA emails off still finds the alert in their feed;
// a team member who did is not emailed, the others are.
func TestCheckSLAEmailsFollowThePreference(t *testing.T) {
	d := newSLADesk(t, "")
	quiet := ann
	quiet.Email, quiet.Active = "ann@acme.example", true
	quiet.Notify.SetEmail(helpdesk.NotifySLAWarning, false)
	c := d.apply(ticket.CheckSLA(d.tk, ticket.Audience{"ann": {Agent: quiet}}, d.set, at(91)))
	if len(c.Notifications) != 1 || c.Notifications[0].Kind != helpdesk.NotifySLAWarning || len(c.Jobs) != 0 {
		t.Fatalf("warning with email off: notifications %+v, jobs %d; want the feed only", c.Notifications, len(c.Jobs))
	}
	c = d.apply(ticket.CheckSLA(d.tk, ticket.Audience{"ann": {Agent: quiet}}, d.set, at(121)))
	if len(c.Notifications) != 1 || len(c.Jobs) != 1 {
		t.Fatalf("breach (its email still on): notifications %+v, jobs %d; want both", c.Notifications, len(c.Jobs))
	}

	d = newSLADesk(t, "")
	d.tk.OwnerID, d.tk.TeamID = "", "support"
	carl := helpdesk.Agent{ID: "carl", Email: "carl@acme.example", Active: true}
	erin := helpdesk.Agent{ID: "erin", Email: "erin@acme.example", Active: true}
	erin.Notify.SetEmail(helpdesk.NotifySLABreach, false)
	aud := ticket.Audience{"carl": {Agent: carl, Teams: []string{"support"}}, "erin": {Agent: erin, Teams: []string{"support"}}}
	c = d.apply(ticket.CheckSLA(d.tk, aud, d.set, at(121)))
	var bodies []string
	for _, b := range c.Jobs {
		bodies = append(bodies, b)
	}
	if len(bodies) != 1 || !strings.Contains(bodies[0], "carl@acme.example") {
		t.Fatalf("team breach: %d jobs, want carl's email only", len(c.Jobs))
	}
}

func TestCheckSLATellsTheTeamOfAnUnassignedTicket(t *testing.T) {
	d := newSLADesk(t, "")
	d.tk.OwnerID, d.tk.TeamID = "", "support"
	carl := helpdesk.Agent{ID: "carl", Email: "carl@acme.example", Active: true}
	aud := ticket.Audience{"carl": {Agent: carl, Teams: []string{"support"}}, "dan": {Agent: helpdesk.Agent{ID: "dan", Email: "d@x", Active: true}}}
	c := d.apply(ticket.CheckSLA(d.tk, aud, d.set, at(121)))
	if len(c.Notifications) != 1 || c.Notifications[0].Recipient != helpdesk.TeamRecipient("support") || c.Notifications[0].Kind != helpdesk.NotifySLABreach {
		t.Fatalf("notifications %+v, want the team's breach", c.Notifications)
	}
	if len(c.Jobs) != 1 || !strings.Contains(onlyJob(t, c), "SLA breached") {
		t.Fatalf("jobs %v, want one email to the team's member", c.Jobs)
	}
}

func TestSLABusinessHoursRunInTheTeamsCalendar(t *testing.T) {
	// A stand-in calendar: its clock runs at half speed (an hour of
	// business time takes two), so its due dates are told from the others.
	var compiled []string
	defer ticket.SetCompileCalendarForTest(func(c helpdesk.Calendar) (ticket.Clock, error) {
		compiled = append(compiled, c.ID)
		return halfSpeed{}, nil
	})()
	set := slaSet()
	set.SLA.Calendars = []helpdesk.Calendar{{ID: "paris", Name: "Paris", TimeZone: "Europe/Paris"}, {ID: "ny", Name: "NY", TimeZone: "America/New_York"}}
	set.SLA.DefaultCalendar, set.SLA.TeamCalendars = "paris", map[string]string{"us": "ny"}
	set.SLA.Policies[1].BusinessHours = true
	if err := set.Validate(); err != nil {
		t.Fatal(err)
	}
	m := inbound(mail, "s1", t0)
	c, _ := ticket.Open(ticket.Arrival{ID: "7", Inbound: m, Message: helpdesk.Message{ID: "m1", Direction: helpdesk.Inbound, CreatedAt: t0},
		Channel: mail, ContactID: "c1"}, set, t0)
	tk := c.Ticket()
	if fr, _ := tk.SLA.Target(helpdesk.SLAFirstResponse); tk.SLA.CalendarID != "paris" || !fr.DueAt.Equal(at(240)) {
		t.Fatalf("SLA %+v, want the default calendar's clock (due after 2 business hours = 4 h)", tk.SLA)
	}
	team := "us"
	c2, err := ticket.Apply(*tk, 0, ticket.Edit{Team: &team}, nil, "ann", nil, set, at(60))
	if err != nil {
		t.Fatal(err)
	}
	// 30 business minutes used of 120 in paris; 90 left in ny from +60: +240.
	if s := c2.Ticket().SLA; s.CalendarID != "ny" || !mustTarget(t, s, helpdesk.SLAFirstResponse).DueAt.Equal(at(240)) {
		t.Fatalf("moved to the us team: %+v, want the ny calendar", s)
	}
	if compiled[0] != "paris" || compiled[len(compiled)-1] != "ny" {
		t.Fatalf("calendars compiled %v", compiled)
	}
}

type halfSpeed struct{}

func (halfSpeed) Add(t time.Time, d time.Duration) time.Time { return t.Add(2 * d) }
func (halfSpeed) Between(a, b time.Time) time.Duration       { return b.Sub(a) / 2 }

func mustTarget(t *testing.T, s *helpdesk.SLA, k helpdesk.SLATargetKind) helpdesk.SLATarget {
	t.Helper()
	tg, ok := s.Target(k)
	if !ok {
		t.Fatalf("no %s target in %+v", k, s)
	}
	return tg
}

func TestSLAReplyAndCloseInOneChange(t *testing.T) {
	d := newSLADesk(t, "")
	c, _, err := ticket.ReplyAndSetStatus(d.tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "Done."}, "closed", nil, d.set, at(30))
	d.apply(c, err)
	if fr, cl := d.target(helpdesk.SLAFirstResponse), d.target(helpdesk.SLAClose); !fr.MetAt.Equal(at(30)) || !cl.MetAt.Equal(at(30)) || !fr.StoppedAt.IsZero() {
		t.Fatalf("reply and close: first %+v close %+v, want both met", fr, cl)
	}
}

func TestSLATargetJSONSaysPaused(t *testing.T) {
	b := mustJSON(t, helpdesk.SLATarget{Kind: helpdesk.SLAFirstResponse, StartedAt: t0, PausedAt: t0, Remaining: time.Minute})
	if !strings.Contains(string(b), `"paused":true`) || !strings.Contains(string(b), `"kind":"first_response"`) {
		t.Fatalf("json %s", b)
	}
	var back helpdesk.SLATarget
	if err := json.Unmarshal(b, &back); err != nil || !back.PausedAt.Equal(t0) {
		t.Fatalf("round trip %+v %v", back, err)
	}
}

func TestSLANoPolicyNoSLA(t *testing.T) {
	c := open(t, form, inbound(form, "s1", t0), true) // the default settings have no policy
	if c.Ticket().SLA != nil {
		t.Fatalf("SLA %+v without policies", c.Ticket().SLA)
	}
}

func TestSLAPortalReplyAndCloseStopsTheNextResponse(t *testing.T) {
	d := newSLADesk(t, "")
	d.reply(at(10))
	msg := helpdesk.Message{ID: "m-p", Direction: helpdesk.Inbound, ChannelID: "portal", ChannelKind: helpdesk.ChannelPortal,
		AuthorContactID: "c1", Text: "Thanks, solved", CreatedAt: at(20)}
	d.apply(ticket.CustomerReply(d.tk, "c1", msg, "", true, nil, d.set, at(20)))
	nr := d.target(helpdesk.SLANextResponse)
	if d.tk.State != helpdesk.StateClosed || !nr.StartedAt.Equal(at(20)) || !nr.StoppedAt.Equal(at(20)) || !d.target(helpdesk.SLAClose).MetAt.Equal(at(20)) {
		t.Fatalf("portal reply and close: %+v", d.tk.SLA)
	}
}
