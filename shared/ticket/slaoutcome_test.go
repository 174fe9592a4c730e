package ticket_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

func oneOutcome(t *testing.T, c ticket.Change, kind helpdesk.SLATargetKind, outcome string, elapsed time.Duration) helpdesk.SLAOutcome {
	t.Helper()
	var got []helpdesk.SLAOutcome
	for _, o := range c.SLAOutcomes {
		if o.Kind == kind {
			got = append(got, o)
		}
	}
	if len(got) != 1 || got[0].Outcome != outcome || got[0].ElapsedMs != elapsed.Milliseconds() {
		t.Fatalf("%s outcomes %+v, want one %s after %v", kind, c.SLAOutcomes, outcome, elapsed)
	}
	return got[0]
}

func TestSLAOutcomeMetRecordedOnceWithTheTicketsFacts(t *testing.T) {
	d := newSLADesk(t, "")
	d.tk.TeamID = "support"
	c, _, err := ticket.Reply(d.tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "On it."}, at(30))
	c = d.apply(c, err)
	o := oneOutcome(t, c, helpdesk.SLAFirstResponse, helpdesk.SLAOutcomeMet, 30*time.Minute)
	want := helpdesk.SLAOutcome{TicketID: "7", Kind: helpdesk.SLAFirstResponse, PolicyID: "standard", TeamID: "support", OwnerID: "ann",
		Priority: d.tk.Priority, ChannelKind: helpdesk.ChannelEmail, StartedAt: t0, Outcome: "met", ElapsedMs: (30 * time.Minute).Milliseconds(),
		BudgetMs: (120 * time.Minute).Milliseconds(), RecordedAt: at(30)}
	if o != want {
		t.Fatalf("outcome %+v\nwant    %+v", o, want)
	}
	if len(c.SLAOutcomes) != 1 {
		t.Fatalf("outcomes %+v, want only the first response", c.SLAOutcomes)
	}
	c, _, err = ticket.Reply(d.tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "And more."}, at(40))
	if c = d.apply(c, err); len(c.SLAOutcomes) != 0 {
		t.Fatalf("a second reply recorded %+v", c.SLAOutcomes)
	}
	c = d.apply(ticket.SetStatus(d.tk, "closed", "ann", nil, d.set, at(50)))
	oneOutcome(t, c, helpdesk.SLAClose, helpdesk.SLAOutcomeMet, 50*time.Minute)
}

func TestSLAOutcomeBreachRecordedBySweepNotAgainWhenMet(t *testing.T) {
	d := newSLADesk(t, "")
	c := d.apply(ticket.CheckSLA(d.tk, nil, d.set, at(91)))
	if len(c.SLAOutcomes) != 0 {
		t.Fatalf("a warning recorded %+v", c.SLAOutcomes)
	}
	c = d.apply(ticket.CheckSLA(d.tk, nil, d.set, at(121)))
	o := oneOutcome(t, c, helpdesk.SLAFirstResponse, helpdesk.SLAOutcomeBreached, 121*time.Minute)
	if o.ElapsedMs-o.BudgetMs != time.Minute.Milliseconds() {
		t.Fatalf("overrun %d ms, want a minute", o.ElapsedMs-o.BudgetMs)
	}
	c, _, err := ticket.Reply(d.tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "Sorry."}, at(130))
	if c = d.apply(c, err); len(c.SLAOutcomes) != 0 {
		t.Fatalf("met after its breach was recorded: %+v, want nothing more", c.SLAOutcomes)
	}
}

func TestSLAOutcomeLateReplyIsABreach(t *testing.T) {
	d := newSLADesk(t, "")
	c, _, err := ticket.Reply(d.tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "Late."}, at(150))
	oneOutcome(t, d.apply(c, err), helpdesk.SLAFirstResponse, helpdesk.SLAOutcomeBreached, 150*time.Minute)
}

func TestSLAOutcomeClosedUnansweredRecordsNoResponseOutcome(t *testing.T) {
	d := newSLADesk(t, "")
	c := d.apply(ticket.SetStatus(d.tk, "closed", "ann", nil, d.set, at(20)))
	if fr := d.target(helpdesk.SLAFirstResponse); fr.StoppedAt.IsZero() {
		t.Fatalf("first response %+v, want stopped", fr)
	}
	oneOutcome(t, c, helpdesk.SLAClose, helpdesk.SLAOutcomeMet, 20*time.Minute)
	if len(c.SLAOutcomes) != 1 {
		t.Fatalf("outcomes %+v, want no first-response outcome for a stopped clock", c.SLAOutcomes)
	}
}

func TestSLAOutcomeExcludesPausedTime(t *testing.T) {
	d := newSLADesk(t, "")
	d.status("waiting_on_contact", at(20))
	// Answered while paused: 20 minutes used.
	c, _, err := ticket.Reply(d.tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "Still here."}, at(200))
	oneOutcome(t, d.apply(c, err), helpdesk.SLAFirstResponse, helpdesk.SLAOutcomeMet, 20*time.Minute)
}

func TestSLAOutcomeElapsedInBusinessTime(t *testing.T) {
	defer ticket.SetCompileCalendarForTest(func(c helpdesk.Calendar) (ticket.Clock, error) { return halfSpeed{}, nil })()
	set := slaSet()
	set.SLA.Calendars = []helpdesk.Calendar{{ID: "paris", Name: "Paris", TimeZone: "Europe/Paris"}}
	set.SLA.DefaultCalendar = "paris"
	set.SLA.Policies[1].BusinessHours = true
	m := inbound(mail, "s1", t0)
	c, _ := ticket.Open(ticket.Arrival{ID: "7", Inbound: m, Message: helpdesk.Message{ID: "m1", Direction: helpdesk.Inbound, CreatedAt: t0},
		Channel: mail, ContactID: "c1"}, set, t0)
	tk := *c.Ticket()
	// The console's reply path (ReplyAndSetStatus, no status) gives the
	// model the settings: 60 wall minutes are 30 business minutes.
	c, _, err := ticket.ReplyAndSetStatus(tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "Hi"}, "", nil, set, at(60))
	if err != nil {
		t.Fatal(err)
	}
	oneOutcome(t, c, helpdesk.SLAFirstResponse, helpdesk.SLAOutcomeMet, 30*time.Minute)
}
