package slasweep_test

// Scenario tests of issue 15 through the real pipeline: tickets opened by
// app/ingest, answered, paused, re-prioritised, merged and split through
// app/desk, and the sweep run with the desk's checker (desk.CheckSLA, then
// the change's emails published, as wire.SLASweep composes it) on an
// injected clock, on both stores (DynamoDB Local when the emulators run).

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/app/slasweep"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// jobs records what the checker publishes (the outbound queue).
type jobs struct {
	mu     sync.Mutex
	bodies []string
}

func (j *jobs) Publish(_ context.Context, body string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.bodies = append(j.bodies, body)
	return nil
}

// count is how many published jobs mention s.
func (j *jobs) count(s string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	n := 0
	for _, b := range j.bodies {
		if strings.Contains(b, s) {
			n++
		}
	}
	return n
}

// sameSubject threads every message with the same subject into one ticket.
var sameSubject = threading.Func(func(m *helpdesk.InboundMessage) threading.Thread {
	k := "subject#" + strings.TrimPrefix(m.Subject, "Re: ")
	return threading.Thread{Lookup: []threading.Key{{Key: k, Reason: "same_subject"}}, Own: []string{k}}
})

// Monday 2 November 2026, 10:00 UTC (11:00 in Paris).
var m0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// slaSettings: a Paris business-hours calendar (Mon-Fri 09:00-18:00); mail
// runs on it (1 business hour to answer); urgent tickets have 60 minutes
// around the clock; the rest 120 minutes (next response too), warned 30
// minutes before, paused while waiting on the customer.
func slaSettings() helpdesk.Settings {
	set := helpdesk.DefaultSettings()
	day := []helpdesk.Interval{{Start: "09:00", End: "18:00"}}
	set.SLA = helpdesk.SLASettings{
		DefaultCalendar: "paris",
		Calendars: []helpdesk.Calendar{{ID: "paris", Name: "Paris office", TimeZone: "Europe/Paris",
			Week: [7][]helpdesk.Interval{{}, day, day, day, day, day, {}}}},
		Policies: []helpdesk.SLAPolicy{
			{ID: "urgent", Name: "Urgent", Priorities: []helpdesk.Priority{helpdesk.PriorityUrgent},
				FirstResponseMinutes: 60, NextResponseMinutes: 60, WarnMinutes: 15, PauseWhenWaiting: true},
			{ID: "mail", Name: "Mail, office hours", Channels: []helpdesk.ChannelKind{helpdesk.ChannelEmail},
				FirstResponseMinutes: 60, BusinessHours: true},
			{ID: "standard", Name: "Standard", FirstResponseMinutes: 120, NextResponseMinutes: 120, WarnMinutes: 30,
				PauseWhenWaiting: true},
		},
	}
	return set
}

type scenario struct {
	ctx   context.Context
	clk   *clock
	st    testbed.Store
	desk  *desk.Service
	apply *ingest.Service
	sweep *slasweep.Service
	jobs  *jobs
	seq   int
}

func newScenario(t *testing.T, b testbed.Backend) *scenario {
	t.Helper()
	return newScenarioWith(t, b, nil)
}

// newScenarioWith is newScenario with its settings changed by edit first.
func newScenarioWith(t *testing.T, b testbed.Backend, edit func(*helpdesk.Settings)) *scenario {
	t.Helper()
	clk := &clock{now: m0}
	st := b.Open(t, clk.Now)
	ctx := context.Background()
	for _, id := range []string{"ann", "bob"} {
		if err := st.PutAgent(ctx, helpdesk.Agent{ID: id, Email: id + "@acme.example", Name: id, Seat: true, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, ch := range []helpdesk.Channel{
		{ID: "web", Kind: helpdesk.ChannelForm, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
			Routing: helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: []string{"ann"}},
			Form:    &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}},
		{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Name: "Support",
			Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
			Routing:  helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: []string{"ann"}},
			Email:    &helpdesk.EmailSettings{Address: "support@acme.example"}},
	} {
		if err := st.PutChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	set := slaSettings()
	if edit != nil {
		edit(&set)
	}
	if err := set.Validate(); err != nil {
		t.Fatalf("the scenario's settings: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	router := &routing.Router{Store: st, Now: clk.Now}
	d := &desk.Service{Store: st, Settings: settings.Fixed(set), Now: clk.Now, Router: router}
	j := &jobs{}
	return &scenario{ctx: ctx, clk: clk, st: st, desk: d, jobs: j,
		apply: &ingest.Service{Store: st, Threader: sameSubject, Settings: settings.Fixed(set), Now: clk.Now, Log: log,
			Router: router, Outbound: j},
		sweep: &slasweep.Service{Store: st, Checker: &slasweep.DeskChecker{Desk: d, Store: st, Out: j, Log: log}, Now: clk.Now, Log: log},
	}
}

// at moves the clock to m0+d.
func (s *scenario) at(d time.Duration) { s.clk.Set(m0.Add(d)) }

// form applies a customer's form submission (a new ticket, or a message in
// the ticket of the same subject) at the clock's time.
func (s *scenario) form(t *testing.T, subject string) string {
	t.Helper()
	s.seq++
	res, err := s.apply.Apply(s.ctx, &helpdesk.InboundMessage{
		Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
		ProviderMessageID: subject + "#" + time.Duration(s.seq).String(), ReceivedAt: s.clk.Now(),
		Sender: helpdesk.Sender{Email: "customer@example.com", Name: "Claire"}, Subject: subject, Text: "Hello, any news?",
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.TicketID
}

func (s *scenario) reply(t *testing.T, id string) {
	t.Helper()
	if _, _, err := s.desk.Reply(s.ctx, id, "ann", "We are on it.", ""); err != nil {
		t.Fatal(err)
	}
}

func (s *scenario) run(t *testing.T) int {
	t.Helper()
	n, err := s.sweep.Sweep(s.ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// wantNoChecks runs the sweep and fails if it checked any ticket.
func (s *scenario) wantNoChecks(t *testing.T, when string) {
	t.Helper()
	if n := s.run(t); n != 0 {
		t.Fatalf("%s: the sweep checked %d tickets, want none", when, n)
	}
}

// merge merges secondary into primary, as ann.
func (s *scenario) merge(t *testing.T, primary, secondary string) {
	t.Helper()
	if _, err := s.desk.Merge(s.ctx, primary, secondary, "ann"); err != nil {
		t.Fatal(err)
	}
}

// setPriority sets the ticket's priority, as ann.
func (s *scenario) setPriority(t *testing.T, id string, p helpdesk.Priority) helpdesk.Ticket {
	t.Helper()
	tk, err := s.desk.SetProperties(s.ctx, id, ticket.Properties{Priority: &p}, "ann")
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func (s *scenario) target(t *testing.T, id string, k helpdesk.SLATargetKind) helpdesk.SLATarget {
	t.Helper()
	tk, err := s.st.GetTicketHeader(s.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tg, ok := tk.SLA.Target(k)
	if !ok {
		t.Fatalf("ticket %s has no %s target: %+v", id, k, tk.SLA)
	}
	return tg
}

// alerts counts ann's feed items of kind and the emails of that kind sent.
func (s *scenario) alerts(t *testing.T, kind helpdesk.NotificationKind) (feed, mails int) {
	t.Helper()
	notes, err := s.st.Notifications(s.ctx, helpdesk.AgentRecipient("ann"), 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		if n.Kind == kind {
			feed++
		}
	}
	subject := map[helpdesk.NotificationKind]string{helpdesk.NotifySLAWarning: "SLA warning", helpdesk.NotifySLABreach: "SLA breached"}[kind]
	return feed, s.jobs.count(subject)
}

func (s *scenario) wantAlerts(t *testing.T, when string, warnings, breaches int) {
	t.Helper()
	wf, wm := s.alerts(t, helpdesk.NotifySLAWarning)
	bf, bm := s.alerts(t, helpdesk.NotifySLABreach)
	if wf != warnings || wm != warnings || bf != breaches || bm != breaches {
		t.Fatalf("%s: warnings %d in the feed, %d emailed; breaches %d in the feed, %d emailed; want %d warnings and %d breaches",
			when, wf, wm, bf, bm, warnings, breaches)
	}
}

func TestScenarioFirstResponseMetInTimeSendsNothing(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Printer on fire")
		if tg := s.target(t, id, helpdesk.SLAFirstResponse); !tg.DueAt.Equal(m0.Add(2 * time.Hour)) {
			t.Fatalf("first response due %v, want %v", tg.DueAt, m0.Add(2*time.Hour))
		}
		s.at(20 * time.Minute)
		// A note is no answer; the reply is.
		if _, _, err := s.desk.Note(s.ctx, id, "ann", "Looking.", nil); err != nil {
			t.Fatal(err)
		}
		if tg := s.target(t, id, helpdesk.SLAFirstResponse); !tg.MetAt.IsZero() {
			t.Fatalf("a note met the first response: %+v", tg)
		}
		s.reply(t, id)
		s.at(5 * time.Hour)
		s.wantNoChecks(t, "after the answer")
		tg := s.target(t, id, helpdesk.SLAFirstResponse)
		if !tg.MetAt.Equal(m0.Add(20*time.Minute)) || !tg.BreachedAt.IsZero() || !tg.WarnedAt.IsZero() {
			t.Fatalf("first response %+v", tg)
		}
		s.wantAlerts(t, "met in time", 0, 0)
	})
}

func TestScenarioWarningAndBreachOnceEachEvenWithSweepsRacing(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Invoice wrong")
		s.at(89 * time.Minute)
		s.wantNoChecks(t, "before the warning")
		s.wantAlerts(t, "before the warning", 0, 0)
		s.at(90 * time.Minute)
		s.run(t)
		s.run(t)
		s.wantAlerts(t, "at the warning, swept twice", 1, 0)

		s.at(2*time.Hour + time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			wg.Add(1)
			go func() { defer wg.Done(); _, errs[i] = s.sweep.Sweep(s.ctx) }()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		s.run(t)
		s.wantAlerts(t, "past due, two sweeps at once and one more", 1, 1)
		tg := s.target(t, id, helpdesk.SLAFirstResponse)
		if !tg.BreachedAt.Equal(m0.Add(2*time.Hour)) || !tg.WarnedAt.Equal(m0.Add(90*time.Minute)) || !tg.MetAt.IsZero() {
			t.Fatalf("first response %+v", tg)
		}
		// Answered late: met, still breached, and nothing more to check.
		s.at(3 * time.Hour)
		s.reply(t, id)
		tg = s.target(t, id, helpdesk.SLAFirstResponse)
		if !tg.MetAt.Equal(m0.Add(3*time.Hour)) || !tg.BreachedAt.Equal(m0.Add(2*time.Hour)) {
			t.Fatalf("answered late: %+v", tg)
		}
		s.at(10 * time.Hour)
		s.wantNoChecks(t, "after the answer")
		s.wantAlerts(t, "after the late answer", 1, 1)
	})
}

func TestScenarioNextResponseRestartsOnTheCustomersMessage(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Refund")
		s.at(10 * time.Minute)
		s.reply(t, id)
		if tk, _ := s.st.GetTicketHeader(s.ctx, id); !tk.SLA.NextCheckAt.IsZero() {
			t.Fatalf("answered, nothing to check: %+v", tk.SLA)
		}
		s.at(time.Hour)
		s.form(t, "Re: Refund")
		tg := s.target(t, id, helpdesk.SLANextResponse)
		if !tg.StartedAt.Equal(m0.Add(time.Hour)) || !tg.DueAt.Equal(m0.Add(3*time.Hour)) {
			t.Fatalf("next response %+v, want started at +1h, due +3h", tg)
		}
		// A second customer message before the answer does not restart it.
		s.at(90 * time.Minute)
		s.form(t, "Re: Refund")
		if tg := s.target(t, id, helpdesk.SLANextResponse); !tg.DueAt.Equal(m0.Add(3 * time.Hour)) {
			t.Fatalf("restarted by a second customer message: %+v", tg)
		}
		s.at(3*time.Hour + time.Minute)
		s.run(t)
		// The first run past due finds the warning unsent too: only the breach goes.
		s.wantAlerts(t, "next response past due", 0, 1)
		if tg := s.target(t, id, helpdesk.SLANextResponse); !tg.BreachedAt.Equal(m0.Add(3 * time.Hour)) {
			t.Fatalf("next response %+v", tg)
		}
	})
}

func TestScenarioPausedWhileWaitingOnTheCustomerResumedByTheirReply(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Password reset")
		s.at(10 * time.Minute)
		s.reply(t, id)
		s.at(20 * time.Minute)
		s.form(t, "Re: Password reset") // next response due +2h20
		s.at(30 * time.Minute)
		if _, err := s.desk.SetStatus(s.ctx, id, "waiting_on_contact", "ann"); err != nil {
			t.Fatal(err)
		}
		tg := s.target(t, id, helpdesk.SLANextResponse)
		if !tg.Paused() || tg.Remaining != 110*time.Minute || !tg.DueAt.IsZero() {
			t.Fatalf("waiting on the customer: %+v", tg)
		}
		s.at(6 * time.Hour)
		s.wantNoChecks(t, "paused")
		s.wantAlerts(t, "paused past the old due date", 0, 0)
		s.form(t, "Re: Password reset")
		tg = s.target(t, id, helpdesk.SLANextResponse)
		if tg.Paused() || !tg.DueAt.Equal(m0.Add(6*time.Hour+110*time.Minute)) || !tg.StartedAt.Equal(m0.Add(20*time.Minute)) {
			t.Fatalf("resumed by the customer's reply: %+v, want due %v", tg, m0.Add(6*time.Hour+110*time.Minute))
		}
		s.at(6*time.Hour + 109*time.Minute)
		s.run(t)
		s.wantAlerts(t, "resumed, a minute before due", 1, 0)
		s.at(6*time.Hour + 110*time.Minute)
		s.run(t)
		s.wantAlerts(t, "resumed, due", 1, 1)
	})
}

func TestScenarioPriorityRaisedMovesTheDueDate(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Site down")
		s.at(30 * time.Minute)
		if tk := s.setPriority(t, id, helpdesk.PriorityUrgent); tk.SLA == nil || tk.SLA.PolicyID != "urgent" {
			t.Fatalf("policy after the priority change: %+v", tk.SLA)
		}
		// 30 minutes used of the new 60: due at +1h, warned at +45m.
		tg := s.target(t, id, helpdesk.SLAFirstResponse)
		if !tg.DueAt.Equal(m0.Add(time.Hour)) || !tg.WarnAt.Equal(m0.Add(45*time.Minute)) {
			t.Fatalf("first response %+v, want due +1h warned +45m", tg)
		}
		s.at(45 * time.Minute)
		s.run(t)
		s.wantAlerts(t, "urgent, 15 minutes before", 1, 0)
		s.at(time.Hour)
		s.run(t)
		s.wantAlerts(t, "urgent, due", 1, 1)
	})
}

func TestScenarioMergeAndSplitCarryTheirDueDates(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		// Mail (only mail splits): one business hour; Monday 11:00 in Paris, due 12:00.
		primary := s.mail(t, "Order 17")
		s.at(10 * time.Minute)
		secondary := s.mail(t, "Order 17 again")
		s.at(20 * time.Minute)
		s.merge(t, primary, secondary)
		if tg := s.target(t, primary, helpdesk.SLAFirstResponse); !tg.DueAt.Equal(m0.Add(time.Hour)) {
			t.Fatalf("the primary's first response after the merge: %+v", tg)
		}
		if tk, _ := s.st.GetTicketHeader(s.ctx, secondary); tk.SLA != nil && !tk.SLA.NextCheckAt.IsZero() {
			t.Fatalf("the merged ticket is still checked: %+v", tk.SLA)
		}

		// A second request in the primary, split off at +40m: a new ticket, its clocks start at the split.
		s.at(30 * time.Minute)
		s.mail(t, "Re: Order 17")
		s.at(40 * time.Minute)
		conv, err := s.st.GetTicket(s.ctx, primary)
		if err != nil {
			t.Fatal(err)
		}
		last := conv.Messages[len(conv.Messages)-1]
		res, err := s.desk.Split(s.ctx, desk.SplitRequest{TicketID: primary, MessageIDs: []string{last.ID}, Subject: "Order 18",
			OwnerID: "ann", AgentID: "ann", Version: conv.Ticket.Version})
		if err != nil {
			t.Fatal(err)
		}
		if tg := s.target(t, res.Ticket.ID, helpdesk.SLAFirstResponse); !tg.DueAt.Equal(m0.Add(100 * time.Minute)) {
			t.Fatalf("the split-off ticket's first response: %+v, want due %v", tg, m0.Add(100*time.Minute))
		}
		if tg := s.target(t, primary, helpdesk.SLAFirstResponse); !tg.DueAt.Equal(m0.Add(time.Hour)) {
			t.Fatalf("the source's first response after the split: %+v", tg)
		}
		// Past the primary's due date only it breaches; the tombstone never does.
		s.at(time.Hour + time.Minute)
		if n := s.run(t); n != 1 {
			t.Fatalf("checked %d tickets at the primary's due date, want 1", n)
		}
		s.wantAlerts(t, "the primary due", 0, 1)
		s.at(101 * time.Minute)
		s.run(t)
		s.wantAlerts(t, "the split-off ticket due", 0, 2)
		s.wantNoChecks(t, "after both breached")
	})
}

// mail applies a customer's mail at the clock's time (threaded by subject).
func (s *scenario) mail(t *testing.T, subject string) string {
	t.Helper()
	s.seq++
	id := time.Duration(s.seq).String() + "@example.com"
	res, err := s.apply.Apply(s.ctx, &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail,
		ChannelID: "email:support@acme.example", ProviderMessageID: "<" + id + ">", ReceivedAt: s.clk.Now(),
		Email:  &helpdesk.EmailHeaders{MessageID: id},
		Sender: helpdesk.Sender{Email: "customer@example.com"}, Subject: subject, Text: "About " + subject})
	if err != nil {
		t.Fatal(err)
	}
	return res.TicketID
}

// A mail received Friday 17:30 in Paris, one business hour to answer,
// office open Monday to Friday 09:00-18:00: due Monday 09:30.
func TestScenarioBusinessHoursFridayEveningIsDueMondayMorning(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		paris, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			t.Fatal(err)
		}
		friday := time.Date(2026, 11, 6, 17, 30, 0, 0, paris)
		monday := time.Date(2026, 11, 9, 9, 30, 0, 0, paris)
		s.clk.Set(friday.UTC())
		res, err := s.apply.Apply(s.ctx, &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail,
			ChannelID: "email:support@acme.example", ProviderMessageID: "<weekend@example.com>", ReceivedAt: friday,
			Email:  &helpdesk.EmailHeaders{MessageID: "weekend@example.com"},
			Sender: helpdesk.Sender{Email: "customer@example.com"}, Subject: "Before the weekend", Text: "Can you help?"})
		if err != nil {
			t.Fatal(err)
		}
		tg := s.target(t, res.TicketID, helpdesk.SLAFirstResponse)
		if tk, _ := s.st.GetTicketHeader(s.ctx, res.TicketID); tk.SLA.PolicyID != "mail" || tk.SLA.CalendarID != "paris" {
			t.Fatalf("policy %+v", tk.SLA)
		}
		if !tg.DueAt.Equal(monday) {
			t.Fatalf("due %v, want %v", tg.DueAt.In(paris), monday)
		}
		s.clk.Set(monday.Add(-time.Minute))
		s.run(t)
		s.wantAlerts(t, "Monday 09:29", 0, 0)
		s.clk.Set(monday)
		s.run(t)
		s.wantAlerts(t, "Monday 09:30", 0, 1)
	})
}

// The sweep's contract (slasweep.Checker): a check that finds nothing due
// leaves NextCheckAt after now (or zero), or the ticket is met every run.
// An index entry older than the clocks (written before a reply moved them)
// is the case: the check moves it on, and the next run finds nothing.
func TestScenarioAStaleCheckIsMovedOn(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Stale")
		// NextCheckAt says +10m; the clocks say warn at +90m.
		tk, err := s.st.GetTicketHeader(s.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		stale := tk
		stale.SLA = tk.SLA.Clone()
		stale.SLA.NextCheckAt = m0.Add(10 * time.Minute)
		stale.Version++
		if err := s.st.Commit(s.ctx, ticket.Change{Tickets: []ticket.Write{{Before: &tk, After: &stale}}}); err != nil {
			t.Fatal(err)
		}
		s.at(15 * time.Minute)
		if n := s.run(t); n != 1 {
			t.Fatalf("checked %d, want the stale ticket", n)
		}
		after, _ := s.st.GetTicketHeader(s.ctx, id)
		if got := after.SLA.NextCheckAt; !got.IsZero() && !got.After(s.clk.Now()) {
			t.Fatalf("NextCheckAt %v after the check at %v", got, s.clk.Now())
		}
		if !after.SLA.NextCheckAt.Equal(m0.Add(90 * time.Minute)) {
			t.Fatalf("NextCheckAt %v, want the warning at +90m", after.SLA.NextCheckAt)
		}
		s.wantNoChecks(t, "the next run, all moved on")
		s.wantAlerts(t, "stale", 0, 0)
	})
}

// The race above, made deterministic: one sweep's check committed the
// breach and has not published its email yet when another's check finds
// nothing left to record. The second must not publish the first's email
// (desk.CheckSLA returns no change, so no jobs, when it committed
// nothing); answering the ticket's pending outbox sent the email twice.
func TestScenarioACheckThatRecordsNothingPublishesNothing(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Slow")
		s.at(2*time.Hour + time.Minute)
		first, err := s.desk.CheckSLA(s.ctx, id, s.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if first.Ticket() == nil || len(first.Jobs) != 1 {
			t.Fatalf("the breach's check: jobs %v, want the email to ann", first.Jobs)
		}
		second, err := s.desk.CheckSLA(s.ctx, id, s.clk.Now())
		if err != nil {
			t.Fatal(err)
		}
		if second.Ticket() != nil || len(second.Jobs) != 0 {
			t.Fatalf("a check that recorded nothing answers jobs to publish: %v", second.Jobs)
		}
	})
}

// An unassigned ticket in a team: the warning and the breach go to the
// team's feed and are emailed to each active member of the team, once.
func TestScenarioUnassignedTeamTicketTellsTheTeam(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		if err := s.st.PutTeam(s.ctx, helpdesk.Team{ID: "billing", Name: "Billing", MemberIDs: []string{"ann", "bob"}, CreatedAt: m0}); err != nil {
			t.Fatal(err)
		}
		id := s.form(t, "Double charge")
		if _, err := s.desk.Assign(s.ctx, id, "", "billing", "ann"); err != nil {
			t.Fatal(err)
		}
		if tk, _ := s.st.GetTicketHeader(s.ctx, id); tk.OwnerID != "" || tk.TeamID != "billing" {
			t.Fatalf("the ticket: owner %q team %q", tk.OwnerID, tk.TeamID)
		}
		s.at(90 * time.Minute)
		s.run(t)
		s.at(2 * time.Hour)
		s.run(t)
		s.run(t)
		notes, err := s.st.Notifications(s.ctx, helpdesk.TeamRecipient("billing"), 50)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[helpdesk.NotificationKind]int{}
		for _, n := range notes {
			kinds[n.Kind]++
		}
		if kinds[helpdesk.NotifySLAWarning] != 1 || kinds[helpdesk.NotifySLABreach] != 1 {
			t.Fatalf("the team's feed: %v", kinds)
		}
		for _, who := range []string{"ann@acme.example", "bob@acme.example"} {
			warn, breach := 0, 0
			s.jobs.mu.Lock()
			for _, j := range s.jobs.bodies {
				if strings.Contains(j, who) && strings.Contains(j, "SLA warning") {
					warn++
				}
				if strings.Contains(j, who) && strings.Contains(j, "SLA breached") {
					breach++
				}
			}
			s.jobs.mu.Unlock()
			if warn != 1 || breach != 1 {
				t.Errorf("%s emailed %d warnings and %d breaches, want one each", who, warn, breach)
			}
		}
	})
}

// Warned, then answered before the due date: no breach, ever.
func TestScenarioWarnedThenMetSendsNoBreach(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Almost late")
		s.at(90 * time.Minute)
		s.run(t)
		s.at(100 * time.Minute)
		s.reply(t, id)
		s.at(5 * time.Hour)
		s.wantNoChecks(t, "after the answer")
		s.wantAlerts(t, "warned then met", 1, 0)
		if tg := s.target(t, id, helpdesk.SLAFirstResponse); !tg.BreachedAt.IsZero() || !tg.MetAt.Equal(m0.Add(100*time.Minute)) {
			t.Fatalf("first response %+v", tg)
		}
	})
}

// Closed unanswered: the clock stops, nothing is swept; the customer's
// message on the closed ticket starts a next response.
func TestScenarioCloseStopsTheClocksAndTheCustomerRestartsThem(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Never mind")
		s.at(30 * time.Minute)
		if _, err := s.desk.SetStatus(s.ctx, id, "closed", "ann"); err != nil {
			t.Fatal(err)
		}
		if tg := s.target(t, id, helpdesk.SLAFirstResponse); !tg.StoppedAt.Equal(m0.Add(30*time.Minute)) || !tg.BreachedAt.IsZero() {
			t.Fatalf("closed: %+v", tg)
		}
		s.at(4 * time.Hour)
		s.wantNoChecks(t, "closed")
		if again := s.form(t, "Re: Never mind"); again != id {
			t.Fatalf("the customer's message opened ticket %s, not the closed %s: it must reopen it", again, id)
		}
		tk, _ := s.st.GetTicketHeader(s.ctx, id)
		tg, ok := tk.SLA.Target(helpdesk.SLANextResponse)
		if tk.State != helpdesk.StateOpen || !ok || !tg.DueAt.Equal(m0.Add(6*time.Hour)) {
			t.Fatalf("reopened by the customer: state %s, next response %+v", tk.State, tg)
		}
		s.at(6 * time.Hour)
		s.run(t)
		s.wantAlerts(t, "reopened, unanswered", 0, 1)
	})
}

// The priority raised while the clock is paused: the time left shrinks by
// the difference of the budgets, and the customer's reply resumes it.
func TestScenarioPriorityRaisedWhilePaused(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Paused urgent")
		s.at(10 * time.Minute)
		s.reply(t, id)
		s.at(20 * time.Minute)
		s.form(t, "Re: Paused urgent") // next response due +2h20 (standard)
		s.at(30 * time.Minute)
		if _, err := s.desk.SetStatus(s.ctx, id, "waiting_on_contact", "ann"); err != nil {
			t.Fatal(err)
		}
		s.at(time.Hour)
		s.setPriority(t, id, helpdesk.PriorityUrgent)
		tg := s.target(t, id, helpdesk.SLANextResponse)
		if !tg.Paused() || tg.Remaining != 50*time.Minute {
			t.Fatalf("paused, then urgent: %+v, want 50m left", tg)
		}
		s.at(6 * time.Hour)
		s.wantNoChecks(t, "while paused")
		s.form(t, "Re: Paused urgent")
		if tg := s.target(t, id, helpdesk.SLANextResponse); !tg.DueAt.Equal(m0.Add(6*time.Hour + 50*time.Minute)) {
			t.Fatalf("resumed: %+v", tg)
		}
		s.at(6*time.Hour + 50*time.Minute)
		s.run(t)
		s.wantAlerts(t, "urgent resumed, due", 0, 1)
	})
}

// Unmerged after its due date: the secondary's clocks come back as they
// were, and the sweep records the breach that fell due meanwhile.
func TestScenarioUnmergeBringsTheClocksBack(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		primary := s.form(t, "Order 30")
		s.at(10 * time.Minute)
		secondary := s.form(t, "Order 30 bis")
		s.at(20 * time.Minute)
		s.merge(t, primary, secondary)
		s.at(30 * time.Minute)
		s.reply(t, primary)
		s.at(3 * time.Hour)
		s.wantNoChecks(t, "merged")
		sec, _ := s.st.GetTicketHeader(s.ctx, secondary)
		if _, _, err := s.desk.Unmerge(s.ctx, secondary, sec.Version, "ann"); err != nil {
			t.Fatal(err)
		}
		sec, _ = s.st.GetTicketHeader(s.ctx, secondary)
		tg, _ := sec.SLA.Target(helpdesk.SLAFirstResponse)
		if sec.State != helpdesk.StateOpen || !tg.DueAt.Equal(m0.Add(130*time.Minute)) {
			t.Fatalf("unmerged: state %s, first response %+v, next check %v", sec.State, tg, sec.SLA.NextCheckAt)
		}
		s.run(t)
		s.wantAlerts(t, "unmerged past due", 0, 1)
		if tg := s.target(t, secondary, helpdesk.SLAFirstResponse); !tg.BreachedAt.Equal(m0.Add(130 * time.Minute)) {
			t.Fatalf("unmerged and swept: %+v", tg)
		}
	})
}

// Spam is not checked; restored, what fell due meanwhile is recorded.
func TestScenarioSpamIsNotCheckedAndNotSpamCatchesUp(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Cheap pills")
		ann := helpdesk.Principal{Agent: helpdesk.Agent{ID: "ann", Email: "ann@acme.example", Role: helpdesk.RoleAdmin, Seat: true, Active: true}}
		s.at(10 * time.Minute)
		if _, err := s.desk.Spam(s.ctx, id, desk.SpamRequest{}, ann, nil); err != nil {
			t.Fatal(err)
		}
		s.at(3 * time.Hour)
		s.wantNoChecks(t, "spam")
		if _, err := s.desk.NotSpam(s.ctx, id, ann, nil); err != nil {
			t.Fatal(err)
		}
		s.run(t)
		s.wantAlerts(t, "not spam, past due", 0, 1)
	})
}

// A team with its own calendar and policy: a ticket routed to the team at
// creation runs on them (Friday 17:30 Paris, one business hour: Monday
// 09:30); one moved to the team mid-flight changes policy and calendar,
// keeping the time used.
func TestScenarioTeamPolicyAndCalendar(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenarioWith(t, b, func(set *helpdesk.Settings) {
			set.SLA.DefaultCalendar = ""
			set.SLA.TeamCalendars = map[string]string{"billing": "paris"}
			set.SLA.Policies = append([]helpdesk.SLAPolicy{{ID: "billing", Name: "Billing", Teams: []string{"billing"},
				FirstResponseMinutes: 60, BusinessHours: true}}, set.SLA.Policies...)
		})
		if err := s.st.PutTeam(s.ctx, helpdesk.Team{ID: "billing", Name: "Billing", MemberIDs: []string{"bob"}, CreatedAt: m0}); err != nil {
			t.Fatal(err)
		}
		if err := s.st.PutChannel(s.ctx, helpdesk.Channel{ID: "billing-web", Kind: helpdesk.ChannelForm,
			Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
			Routing:  helpdesk.RoutingRule{Kind: helpdesk.RouteTeamOnly, TeamID: "billing"},
			Form:     &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}}); err != nil {
			t.Fatal(err)
		}
		paris, _ := time.LoadLocation("Europe/Paris")
		friday := time.Date(2026, 11, 6, 17, 30, 0, 0, paris)
		s.clk.Set(friday.UTC())
		res, err := s.apply.Apply(s.ctx, &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm,
			ChannelID: "billing-web", ProviderMessageID: "billing-1", ReceivedAt: friday,
			Sender: helpdesk.Sender{Email: "customer@example.com"}, Subject: "Invoice copy", Text: "Please"})
		if err != nil {
			t.Fatal(err)
		}
		tk, _ := s.st.GetTicketHeader(s.ctx, res.TicketID)
		tg, _ := tk.SLA.Target(helpdesk.SLAFirstResponse)
		if tk.TeamID != "billing" || tk.SLA.PolicyID != "billing" || tk.SLA.CalendarID != "paris" ||
			!tg.DueAt.Equal(time.Date(2026, 11, 9, 9, 30, 0, 0, paris)) {
			t.Fatalf("routed to billing: team %q, SLA %+v", tk.TeamID, tk.SLA)
		}

		// Monday 11:00 Paris: a standard ticket (120 min, 24/7), moved to billing at 11:10.
		s.at(0)
		id := s.form(t, "Wrong VAT")
		s.at(10 * time.Minute)
		if _, err := s.desk.Assign(s.ctx, id, "", "billing", "ann"); err != nil {
			t.Fatal(err)
		}
		tk, _ = s.st.GetTicketHeader(s.ctx, id)
		tg, _ = tk.SLA.Target(helpdesk.SLAFirstResponse)
		if tk.SLA.PolicyID != "billing" || tk.SLA.CalendarID != "paris" || !tg.DueAt.Equal(m0.Add(time.Hour)) {
			t.Fatalf("moved to billing: %+v, first response %+v", tk.SLA, tg)
		}
	})
}

// Each next-response cycle is a new clock: breached once, answered, then
// the customer writes again: warned and breached again, once each.
func TestScenarioEachNextResponseCycleIsWarnedAndBreachedOnce(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		id := s.form(t, "Again and again")
		s.at(10 * time.Minute)
		s.reply(t, id)
		s.at(20 * time.Minute)
		s.form(t, "Re: Again and again") // due +2h20, warned +1h50
		s.at(110 * time.Minute)
		s.run(t)
		s.at(140 * time.Minute)
		s.run(t)
		s.wantAlerts(t, "first cycle", 1, 1)
		s.at(150 * time.Minute)
		s.reply(t, id)
		s.at(160 * time.Minute)
		s.form(t, "Re: Again and again") // due +4h40, warned +4h10
		tg := s.target(t, id, helpdesk.SLANextResponse)
		if !tg.DueAt.Equal(m0.Add(280*time.Minute)) || !tg.BreachedAt.IsZero() || !tg.WarnedAt.IsZero() {
			t.Fatalf("second cycle: %+v", tg)
		}
		for _, at := range []time.Duration{250 * time.Minute, 251 * time.Minute, 280 * time.Minute, 290 * time.Minute} {
			s.at(at)
			s.run(t)
		}
		s.wantAlerts(t, "second cycle", 2, 2)
	})
}

// Across the end of summer time (Sunday 25 October 2026 in Paris): Friday
// 17:30 CEST plus one business hour is Monday 09:30 CET, 08:30 UTC.
func TestScenarioBusinessHoursAcrossTheEndOfSummerTime(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		friday := time.Date(2026, 10, 23, 15, 30, 0, 0, time.UTC) // 17:30 CEST
		s.clk.Set(friday)
		id := s.mail(t, "Before the clocks change")
		if tg := s.target(t, id, helpdesk.SLAFirstResponse); !tg.DueAt.Equal(time.Date(2026, 10, 26, 8, 30, 0, 0, time.UTC)) {
			t.Fatalf("due %v, want Monday 08:30 UTC", tg.DueAt)
		}
	})
}
