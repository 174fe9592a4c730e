package routing_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// now is the fixed clock of every test: Wednesday 2026-11-18 03:00 UTC, which
// is Tuesday 22:00 in New York (outside a 09:00-17:00 weekday schedule).
var now = time.Date(2026, 11, 18, 3, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// first makes ties deterministic: the first of the least loaded (sorted ids).
func first(int) int { return 0 }

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeOutbound is an in-memory outbound queue that can be made to fail.
type fakeOutbound struct {
	mu     sync.Mutex
	fail   bool
	queued []string
}

var errQueueDown = errors.New("outbound queue down")

func (o *fakeOutbound) Publish(_ context.Context, body string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.fail {
		return errQueueDown
	}
	o.queued = append(o.queued, body)
	return nil
}

func (o *fakeOutbound) setFail(v bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.fail = v
}

// emails decodes every published job (each must be a notification email).
func (o *fakeOutbound) emails(t *testing.T) []jobs.NotificationEmail {
	t.Helper()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []jobs.NotificationEmail
	for _, body := range o.queued {
		var env jobs.Envelope
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Fatalf("job %q: %v", body, err)
		}
		if env.Kind != jobs.KindNotificationEmail {
			t.Fatalf("job kind %q, want %q", env.Kind, jobs.KindNotificationEmail)
		}
		var e jobs.NotificationEmail
		if err := json.Unmarshal(env.Payload, &e); err != nil {
			t.Fatalf("job payload %s: %v", env.Payload, err)
		}
		out = append(out, e)
	}
	return out
}

// emailsFor returns the published emails about one ticket, by recipient agent.
func (o *fakeOutbound) emailsFor(t *testing.T, ticketID string) map[string]jobs.NotificationEmail {
	t.Helper()
	out := map[string]jobs.NotificationEmail{}
	for _, e := range o.emails(t) {
		if e.TicketID != ticketID {
			continue
		}
		if _, dup := out[e.ToAgentID]; dup {
			t.Fatalf("ticket %s: two emails to %s", ticketID, e.ToAgentID)
		}
		out[e.ToAgentID] = e
	}
	return out
}

// eachStore runs a scenario on every store (testbed.EachStore), in
// parallel with the other scenarios.
func eachStore(t *testing.T, test func(t *testing.T, backend testbed.Backend)) {
	t.Parallel()
	testbed.EachStore(t, test)
}

// rig is one tenant with a form channel "web" and a routed ingest service,
// on a new store of backend; every clock is the same fixed function.
type rig struct {
	t   *testing.T
	ctx context.Context
	st  testbed.Store
	svc *ingest.Service
	out *fakeOutbound
	seq int
}

func newRig(t *testing.T, backend testbed.Backend, threader threading.Threader) *rig {
	t.Helper()
	t.Parallel()
	st := backend.Open(t, clock)
	out := &fakeOutbound{}
	if threader == nil {
		threader = threading.Submission
	}
	svc := &ingest.Service{
		Store: st, Threader: threader, Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: clock, Log: quiet, MaxAttempts: 5,
		Router:   &routing.Router{Store: st, Now: clock, Rand: first},
		Outbound: out,
	}
	r := &rig{t: t, ctx: context.Background(), st: st, svc: svc, out: out}
	r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteNobody})
	return r
}

// agent returns a seated, active, available agent with an email address.
func agent(id string) helpdesk.Agent {
	return helpdesk.Agent{ID: id, Email: id + "@desk.example", Name: "Agent " + id, Seat: true, Active: true,
		Availability: helpdesk.Availability{Mode: helpdesk.AvailabilityManual}}
}

func (r *rig) agents(as ...helpdesk.Agent) {
	r.t.Helper()
	for _, a := range as {
		if err := r.st.PutAgent(r.ctx, a); err != nil {
			r.t.Fatal(err)
		}
	}
}

func (r *rig) team(id string, members ...string) {
	r.t.Helper()
	if err := r.st.PutTeam(r.ctx, helpdesk.Team{ID: id, Name: "Team " + id, MemberIDs: members}); err != nil {
		r.t.Fatal(err)
	}
}

// rule (re)configures the channel's routing rule; Apply reads it every time.
func (r *rig) rule(rule helpdesk.RoutingRule) {
	r.t.Helper()
	ch := helpdesk.Channel{
		ID: "web", Kind: helpdesk.ChannelForm, Name: "Contact form",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
		Form:     &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone},
		Routing:  rule, CreatedAt: now,
	}
	if err := r.st.PutChannel(r.ctx, ch); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rig) message(from string) *helpdesk.InboundMessage {
	r.seq++
	id := fmt.Sprintf("m%03d", r.seq)
	return &helpdesk.InboundMessage{
		Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
		ProviderMessageID: id, ReceivedAt: now, Sender: helpdesk.Sender{Email: from, Name: "Customer"},
		Subject: "Help with " + id, Text: "Please help (" + id + ")",
	}
}

// apply applies one new message from a fresh sender and requires a new ticket.
func (r *rig) apply() ingest.Result {
	r.t.Helper()
	return r.applyFrom(fmt.Sprintf("customer%03d@example.com", r.seq+1))
}

func (r *rig) applyFrom(from string) ingest.Result {
	r.t.Helper()
	res, err := r.svc.Apply(r.ctx, r.message(from))
	if err != nil {
		r.t.Fatal(err)
	}
	if !res.Created || res.Duplicate {
		r.t.Fatalf("result %+v, want a new ticket", res)
	}
	return res
}

// seed gives an agent n open tickets of the form's type through the router.
func (r *rig) seed(agentID string, n int) {
	r.t.Helper()
	r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, UserIDs: []string{agentID}, AnyAvailability: true})
	for range n {
		if res := r.apply(); res.OwnerID != agentID {
			r.t.Fatalf("seeding %s: ticket went to %q", agentID, res.OwnerID)
		}
	}
}

// conv reads a ticket with its timeline.
func (r *rig) conv(id string) helpdesk.Conversation {
	r.t.Helper()
	c, err := r.st.GetTicket(r.ctx, id)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// routing returns the ticket's only activity, which must be the router's.
func (r *rig) routing(c helpdesk.Conversation) (helpdesk.Activity, helpdesk.RoutingRecord) {
	r.t.Helper()
	if len(c.Activities) != 1 {
		r.t.Fatalf("ticket %s has %d activities, want 1: %+v", c.Ticket.ID, len(c.Activities), c.Activities)
	}
	a := c.Activities[0]
	if a.Kind != helpdesk.ActivityRouted || a.ActorID != helpdesk.ActorRouter || a.TicketID != c.Ticket.ID ||
		!a.At.Equal(now) || a.To != c.Ticket.OwnerID || a.Routing == nil {
		r.t.Fatalf("activity %+v (routing %+v), want the router's, at %v, to %q", a, a.Routing, now, c.Ticket.OwnerID)
	}
	return a, *a.Routing
}

// notes returns a recipient's notifications about one ticket.
func (r *rig) notes(recipient, ticketID string) []helpdesk.Notification {
	r.t.Helper()
	ns, err := r.st.Notifications(r.ctx, recipient, 10)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []helpdesk.Notification
	for _, n := range ns {
		if n.TicketID == ticketID {
			out = append(out, n)
		}
	}
	return out
}

// oneNote requires exactly one notification of kind for recipient about the ticket.
func (r *rig) oneNote(recipient string, kind helpdesk.NotificationKind, tk helpdesk.Ticket) helpdesk.Notification {
	r.t.Helper()
	ns := r.notes(recipient, tk.ID)
	if len(ns) != 1 {
		r.t.Fatalf("%s has %d notifications about ticket %s, want 1: %+v", recipient, len(ns), tk.ID, ns)
	}
	n := ns[0]
	if n.Kind != kind || n.Recipient != recipient || n.Subject != tk.Subject || !n.At.Equal(now) || n.ID == "" {
		r.t.Fatalf("notification %+v, want %s to %s about %q at %v", n, kind, recipient, tk.Subject, now)
	}
	return n
}

func (r *rig) noNotes(recipient, ticketID string) {
	r.t.Helper()
	if ns := r.notes(recipient, ticketID); len(ns) != 0 {
		r.t.Fatalf("%s has notifications about ticket %s, want none: %+v", recipient, ticketID, ns)
	}
}

func (r *rig) pending(ticketID string) map[string]string {
	r.t.Helper()
	box, err := r.st.PendingOutbox(r.ctx, ticketID)
	if err != nil {
		r.t.Fatal(err)
	}
	return box
}

func (r *rig) load(agentID string) int {
	r.t.Helper()
	ls, err := r.st.Loads(r.ctx, []string{agentID}, helpdesk.TypeEmailOther, now)
	if err != nil {
		r.t.Fatal(err)
	}
	return ls[agentID].Count
}

// contact registers a sender's contact with an owner, as an admin's import
// would, before the sender first writes (the store changes no contact's
// owner: contacts are written when they are created).
func (r *rig) contact(email, ownerID string) {
	r.t.Helper()
	key := helpdesk.Sender{Email: email}.Key(helpdesk.ChannelForm)
	c := helpdesk.Contact{ID: "contact-" + key, Email: email, OwnerID: ownerID, CreatedAt: now}
	if err := r.st.CreateContact(r.ctx, c, key); err != nil {
		r.t.Fatal(err)
	}
	if id, err := r.st.FindContactID(r.ctx, key); err != nil || id != c.ID {
		r.t.Fatalf("contact of %s: %q %v", email, id, err)
	}
}

// checkCandidates compares the considered users, their eligibility and skip
// reasons, and their loads (load-balanced decisions only: the others do not
// read loads).
func checkCandidates(t *testing.T, got []helpdesk.Candidate, want []helpdesk.Candidate) {
	t.Helper()
	checkCandidatesLoads(t, got, want, true)
}

func checkCandidatesLoads(t *testing.T, got []helpdesk.Candidate, want []helpdesk.Candidate, loads bool) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("candidates %+v, want %+v", got, want)
	}
	for i := range want {
		g := got[i]
		if !loads {
			g.Load = want[i].Load
		}
		if g != want[i] {
			t.Errorf("candidate %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func checkUnassigned(t *testing.T, tk helpdesk.Ticket, team string) {
	t.Helper()
	if tk.OwnerID != "" || tk.TeamID != team || !tk.AssignedAt.IsZero() {
		t.Fatalf("ticket %s: owner %q team %q assigned at %v, want unassigned in team %q",
			tk.ID, tk.OwnerID, tk.TeamID, tk.AssignedAt, team)
	}
}

func checkOwned(t *testing.T, tk helpdesk.Ticket, owner, team string) {
	t.Helper()
	if tk.OwnerID != owner || tk.TeamID != team || !tk.AssignedAt.Equal(now) {
		t.Fatalf("ticket %s: owner %q team %q assigned at %v, want %q in %q at %v",
			tk.ID, tk.OwnerID, tk.TeamID, tk.AssignedAt, owner, team, now)
	}
}

// skilled, an agent holding the rule's "fr" skill.
func skilled(id string) helpdesk.Agent {
	a := agent(id)
	a.Skills = []string{"en", "FR"} // skills match case-insensitively
	return a
}

// Load balanced: the least loaded eligible agent gets the ticket; every
// ineligible member is skipped with its reason and its load recorded, even
// when it is less loaded than the pick.
func TestLoadBalancedPicksLeastLoadedEligible(t *testing.T) {
	eachStore(t, func(t *testing.T, backend testbed.Backend) {
		r := newRig(t, backend, nil)
		away := skilled("lb-away")
		away.Availability.Away = true
		hours := skilled("lb-hours")
		hours.TimeZone = "America/New_York"
		hours.Availability = helpdesk.Availability{Mode: helpdesk.AvailabilitySchedule}
		for _, d := range []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday} {
			hours.Availability.Hours = append(hours.Availability.Hours, helpdesk.WorkingHours{Day: d, Start: "09:00", End: "17:00"})
		}
		inactive := skilled("lb-inactive")
		inactive.Active = false
		noSeat := skilled("lb-noseat")
		noSeat.Seat = false
		ooo := skilled("lb-ooo")
		ooo.Availability.OutOfOffice = []helpdesk.Period{{From: now.Add(-time.Hour), To: now.Add(time.Hour)}}
		noSkill := agent("lb-skill")
		noSkill.Skills = []string{"de"}
		members := []helpdesk.Agent{away, hours, inactive, noSeat, ooo, noSkill, skilled("lb-x"), skilled("lb-y"), skilled("lb-z")}
		r.agents(members...)
		var ids []string
		for _, a := range members {
			ids = append(ids, a.ID)
		}
		r.team("support", ids...)

		// The schedule agent is skipped for the hour, not for its settings.
		if ok, why := routing.Available(hours, now.Add(14*time.Hour)); !ok {
			t.Fatalf("schedule agent unavailable on Wednesday noon in New York: %s", why)
		}

		r.seed("lb-x", 3)
		r.seed("lb-y", 1)
		r.seed("lb-z", 2)
		r.seed("lb-skill", 1) // as loaded as lb-y and sorted before it: only its skill keeps it out
		r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistLoadBalanced,
			TeamIDs: []string{"support"}, Skills: []string{"fr"}})
		sent := len(r.out.emails(t))

		res := r.apply()
		if res.OwnerID != "lb-y" {
			t.Fatalf("owner %q, want lb-y (fewest open tickets among eligible)", res.OwnerID)
		}
		c := r.conv(res.TicketID)
		checkOwned(t, c.Ticket, "lb-y", "support")
		_, rec := r.routing(c)
		if rec.Rule != helpdesk.RouteUsersTeams || rec.Distribution != helpdesk.DistLoadBalanced ||
			rec.Reason != routing.ReasonFewestOpen || rec.OwnerID != "lb-y" || rec.TeamID != "support" {
			t.Fatalf("routing record %+v", rec)
		}
		checkCandidates(t, rec.Candidates, []helpdesk.Candidate{
			{AgentID: "lb-away", Skipped: routing.SkipAway},
			{AgentID: "lb-hours", Skipped: routing.SkipOutsideHours},
			{AgentID: "lb-inactive", Skipped: routing.SkipInactive},
			{AgentID: "lb-noseat", Skipped: routing.SkipNoSeat},
			{AgentID: "lb-ooo", Skipped: routing.SkipOutOfOffice},
			{AgentID: "lb-skill", Skipped: routing.SkipMissingSkill + ":fr", Load: 1},
			{AgentID: "lb-x", Eligible: true, Load: 3},
			{AgentID: "lb-y", Eligible: true, Load: 1},
			{AgentID: "lb-z", Eligible: true, Load: 2},
		})
		r.oneNote(helpdesk.AgentRecipient("lb-y"), helpdesk.NotifyAssigned, c.Ticket)
		r.noNotes(helpdesk.TeamRecipient("support"), res.TicketID)
		if got := r.load("lb-y"); got != 2 {
			t.Fatalf("lb-y load after the pick: %d, want 2", got)
		}
		if n := len(r.out.emails(t)); n != sent {
			t.Fatalf("%d emails published, want none (nobody asked for assignment emails)", n-sent)
		}

		// A distribution this version does not know is load balanced, with the
		// loads read (not a blind pick among zeros): lb-x 3, lb-y 2, lb-z 2.
		r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: "load-balanced",
			TeamIDs: []string{"support"}, Skills: []string{"fr"}})
		res = r.apply()
		if res.OwnerID != "lb-y" && res.OwnerID != "lb-z" {
			t.Fatalf("unknown distribution: owner %q, want lb-y or lb-z (fewest open tickets)", res.OwnerID)
		}
		_, rec = r.routing(r.conv(res.TicketID))
		if rec.Distribution != helpdesk.DistLoadBalanced || rec.Reason != routing.ReasonFewestOpen {
			t.Fatalf("unknown distribution recorded as %+v", rec)
		}
		for _, c := range rec.Candidates {
			if c.AgentID == "lb-x" && c.Load != 3 {
				t.Fatalf("lb-x load %d in the record, want 3: loads were not read", c.Load)
			}
		}
	})
}

// Nobody eligible: the ticket waits unassigned in the rule's team, the team
// is notified, and only active members who asked for it (with an address)
// get an email.
func TestNobodyEligibleNotifiesTeam(t *testing.T) {
	eachStore(t, func(t *testing.T, backend testbed.Backend) {
		r := newRig(t, backend, nil)
		wants := agent("ne-a")
		wants.Availability.Away = true
		wants.Notify.EmailOnTeamUnassigned = true
		quietOne := agent("ne-b")
		quietOne.Availability.Away = true
		quietOne.Notify.EmailOnAssignment = true // not the preference that applies here
		gone := agent("ne-c")
		gone.Active = false
		gone.Notify.EmailOnTeamUnassigned = true
		noAddress := agent("ne-d")
		noAddress.Seat = false
		noAddress.Email = ""
		noAddress.Notify.EmailOnTeamUnassigned = true
		alsoWants := agent("ne-e")
		alsoWants.Seat = false
		alsoWants.Notify.EmailOnTeamUnassigned = true
		r.agents(wants, quietOne, gone, noAddress, alsoWants)
		r.team("support", "ne-a", "ne-b", "ne-c", "ne-d", "ne-e")
		r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, TeamIDs: []string{"support"}})

		res := r.apply()
		if res.OwnerID != "" {
			t.Fatalf("owner %q, want none", res.OwnerID)
		}
		c := r.conv(res.TicketID)
		checkUnassigned(t, c.Ticket, "support")
		_, rec := r.routing(c)
		if rec.Rule != helpdesk.RouteUsersTeams || rec.Distribution != helpdesk.DistLoadBalanced ||
			rec.Reason != routing.ReasonNoEligibleUser || rec.OwnerID != "" || rec.TeamID != "support" {
			t.Fatalf("routing record %+v", rec)
		}
		checkCandidates(t, rec.Candidates, []helpdesk.Candidate{
			{AgentID: "ne-a", Skipped: routing.SkipAway},
			{AgentID: "ne-b", Skipped: routing.SkipAway},
			{AgentID: "ne-c", Skipped: routing.SkipInactive},
			{AgentID: "ne-d", Skipped: routing.SkipNoSeat},
			{AgentID: "ne-e", Skipped: routing.SkipNoSeat},
		})
		n := r.oneNote(helpdesk.TeamRecipient("support"), helpdesk.NotifyTeamUnassigned, c.Ticket)
		for _, a := range []string{"ne-a", "ne-b", "ne-c", "ne-d", "ne-e"} {
			r.noNotes(helpdesk.AgentRecipient(a), res.TicketID)
		}
		emails := r.out.emailsFor(t, res.TicketID)
		if len(emails) != 2 {
			t.Fatalf("emails to %v, want ne-a and ne-e", keys(emails))
		}
		for _, id := range []string{"ne-a", "ne-e"} {
			e, ok := emails[id]
			if !ok || e.ToEmail != id+"@desk.example" || e.Kind != helpdesk.NotifyTeamUnassigned ||
				e.NotificationID != n.ID || !strings.Contains(e.Subject, "[#"+res.TicketID+"]") {
				t.Fatalf("email to %s: %+v (present %v)", id, e, ok)
			}
		}
		if box := r.pending(res.TicketID); len(box) != 0 {
			t.Fatalf("outbox still holds %d jobs", len(box))
		}
	})
}

// Team only: a team and no owner, whatever the team's availability.
func TestTeamOnlySetsTeamAndNotifiesIt(t *testing.T) {
	eachStore(t, func(t *testing.T, backend testbed.Backend) {
		r := newRig(t, backend, nil)
		b1 := agent("b-1")
		b1.Notify.EmailOnTeamUnassigned = true
		r.agents(b1, agent("b-2"))
		r.team("billing", "b-1", "b-2")
		r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteTeamOnly, TeamID: "billing"})

		res := r.apply()
		c := r.conv(res.TicketID)
		checkUnassigned(t, c.Ticket, "billing")
		_, rec := r.routing(c)
		if rec.Rule != helpdesk.RouteTeamOnly || rec.Reason != routing.ReasonTeamOnly || rec.TeamID != "billing" ||
			rec.OwnerID != "" || len(rec.Candidates) != 0 {
			t.Fatalf("routing record %+v", rec)
		}
		r.oneNote(helpdesk.TeamRecipient("billing"), helpdesk.NotifyTeamUnassigned, c.Ticket)
		r.noNotes(helpdesk.AgentRecipient("b-1"), res.TicketID)
		if emails := r.out.emailsFor(t, res.TicketID); len(emails) != 1 || emails["b-1"].ToEmail != "b-1@desk.example" {
			t.Fatalf("emails %+v, want one to b-1", emails)
		}
		if got := r.load("b-1") + r.load("b-2"); got != 0 {
			t.Fatalf("team-only ticket counted in a load (%d)", got)
		}
	})
}

// Contact owner: a known contact's owner gets its next ticket if eligible;
// otherwise the ticket waits in the rule's team, with the reason.
func TestContactOwner(t *testing.T) {
	eachStore(t, func(t *testing.T, backend testbed.Backend) {
		r := newRig(t, backend, nil)
		owner := agent("co-owner")
		owner.Notify.EmailOnAssignment = true
		r.agents(owner, agent("co-other"))
		r.team("support", "co-owner", "co-other")
		const ann = "Ann@Example.com"
		r.contact(ann, "co-owner")

		// Her first message, under rule nobody, goes to nobody.
		first := r.applyFrom(ann)
		c0 := r.conv(first.TicketID)
		checkUnassigned(t, c0.Ticket, "")
		if _, rec := r.routing(c0); rec.Rule != helpdesk.RouteNobody || rec.Reason != routing.ReasonRuleNobody || len(rec.Candidates) != 0 {
			t.Fatalf("routing record %+v", rec)
		}
		r.noNotes(helpdesk.TeamRecipient("support"), first.TicketID)
		if got := len(r.out.emails(t)); got != 0 {
			t.Fatalf("%d emails for a ticket routed to nobody", got)
		}
		r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner, TeamID: "support"})

		{ // unknown contact
			res := r.applyFrom("bob@example.com")
			c := r.conv(res.TicketID)
			checkUnassigned(t, c.Ticket, "support")
			if _, rec := r.routing(c); rec.Reason != routing.ReasonNoContactOwner || rec.TeamID != "support" {
				t.Fatalf("routing record %+v", rec)
			}
			r.oneNote(helpdesk.TeamRecipient("support"), helpdesk.NotifyTeamUnassigned, c.Ticket)
		}

		{ // eligible owner
			res := r.applyFrom("ann@example.com")
			if res.OwnerID != "co-owner" {
				t.Fatalf("owner %q, want co-owner", res.OwnerID)
			}
			c := r.conv(res.TicketID)
			if c.Ticket.ContactID != r.conv(first.TicketID).Ticket.ContactID {
				t.Fatalf("second ticket has contact %q, want the first ticket's", c.Ticket.ContactID)
			}
			checkOwned(t, c.Ticket, "co-owner", "support")
			_, rec := r.routing(c)
			if rec.Rule != helpdesk.RouteContactOwner || rec.Reason != routing.ReasonContactOwner ||
				rec.OwnerID != "co-owner" || rec.TeamID != "support" {
				t.Fatalf("routing record %+v", rec)
			}
			checkCandidatesLoads(t, rec.Candidates, []helpdesk.Candidate{{AgentID: "co-owner", Eligible: true}}, false)
			n := r.oneNote(helpdesk.AgentRecipient("co-owner"), helpdesk.NotifyAssigned, c.Ticket)
			r.noNotes(helpdesk.TeamRecipient("support"), res.TicketID)
			if e := r.out.emailsFor(t, res.TicketID); len(e) != 1 || e["co-owner"].NotificationID != n.ID {
				t.Fatalf("emails %+v, want one to co-owner", e)
			}
			if got := r.load("co-owner"); got != 1 {
				t.Fatalf("co-owner load %d, want 1", got)
			}
		}

		{ // ineligible owner
			owner.Availability.Away = true
			r.agents(owner)
			res := r.applyFrom(ann)
			c := r.conv(res.TicketID)
			checkUnassigned(t, c.Ticket, "support")
			_, rec := r.routing(c)
			if rec.Rule != helpdesk.RouteContactOwner || rec.Reason != routing.ReasonOwnerNotEligible ||
				rec.OwnerID != "" || rec.TeamID != "support" {
				t.Fatalf("routing record %+v", rec)
			}
			checkCandidatesLoads(t, rec.Candidates, []helpdesk.Candidate{{AgentID: "co-owner", Skipped: routing.SkipAway}}, false)
			r.noNotes(helpdesk.AgentRecipient("co-owner"), res.TicketID)
			r.oneNote(helpdesk.TeamRecipient("support"), helpdesk.NotifyTeamUnassigned, c.Ticket)
		}

		{ // owner is no agent
			r.contact("carl@example.com", "co-deleted")
			res := r.applyFrom("carl@example.com")
			c := r.conv(res.TicketID)
			checkUnassigned(t, c.Ticket, "support")
			_, rec := r.routing(c)
			if rec.Reason != routing.ReasonOwnerNotEligible {
				t.Fatalf("routing record %+v", rec)
			}
			checkCandidatesLoads(t, rec.Candidates, []helpdesk.Candidate{{AgentID: "co-deleted", Skipped: routing.SkipUnknown}}, false)
		}
	})
}

// Round robin over three eligible agents (and one away, never counted in the
// rotation): nine sequential tickets go a, b, c, a, b, c, a, b, c.
func TestRoundRobinRotatesInIDOrder(t *testing.T) {
	eachStore(t, func(t *testing.T, backend testbed.Backend) {
		r := newRig(t, backend, nil)
		away := agent("rr-b0")
		away.Availability.Away = true
		r.agents(agent("rr-c"), agent("rr-a"), away, agent("rr-b"))
		r.team("support", "rr-c", "rr-b0", "rr-a", "rr-b")
		r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, TeamIDs: []string{"support"}})

		rotation := []string{"rr-a", "rr-b", "rr-c"}
		counts := map[string]int{}
		for i := range 9 {
			res := r.apply()
			if want := rotation[i%3]; res.OwnerID != want {
				t.Fatalf("ticket %d went to %q, want %q", i+1, res.OwnerID, want)
			}
			counts[res.OwnerID]++
			if i == 0 || i == 8 {
				c := r.conv(res.TicketID)
				checkOwned(t, c.Ticket, res.OwnerID, "support")
				_, rec := r.routing(c)
				if rec.Distribution != helpdesk.DistRoundRobin || rec.Reason != routing.ReasonRoundRobin {
					t.Fatalf("routing record %+v", rec)
				}
				checkCandidatesLoads(t, rec.Candidates, []helpdesk.Candidate{
					{AgentID: "rr-a", Eligible: true},
					{AgentID: "rr-b", Eligible: true},
					{AgentID: "rr-b0", Skipped: routing.SkipAway},
					{AgentID: "rr-c", Eligible: true},
				}, false)
			}
		}
		for _, a := range rotation {
			if counts[a] != 3 || r.load(a) != 3 {
				t.Fatalf("%s: %d tickets, load %d, want 3 each", a, counts[a], r.load(a))
			}
		}
	})
}

// The new owner is notified in-app, and by email only if it asked; the
// outbox is flushed after the commit, and a failed flush is completed by the
// redelivery of the same message.
func TestAssignmentNotificationsAndOutbox(t *testing.T) {
	eachStore(t, func(t *testing.T, backend testbed.Backend) {
		r := newRig(t, backend, nil)
		mail := agent("e-mail")
		mail.Name = "Mia Mail"
		mail.Notify.EmailOnAssignment = true
		r.agents(mail, agent("e-quiet"))
		only := func(id string) {
			r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, UserIDs: []string{id}})
		}

		{ // email on assignment
			only("e-mail")
			res := r.apply()
			c := r.conv(res.TicketID)
			checkOwned(t, c.Ticket, "e-mail", "")
			n := r.oneNote(helpdesk.AgentRecipient("e-mail"), helpdesk.NotifyAssigned, c.Ticket)
			emails := r.out.emailsFor(t, res.TicketID)
			e, ok := emails["e-mail"]
			if len(emails) != 1 || !ok {
				t.Fatalf("emails %+v, want one to e-mail", emails)
			}
			if e.ToEmail != "e-mail@desk.example" || e.ToName != "Mia Mail" || e.Kind != helpdesk.NotifyAssigned ||
				e.NotificationID != n.ID || !strings.Contains(e.Subject, "[#"+res.TicketID+"]") ||
				!strings.Contains(e.Subject, c.Ticket.Subject) {
				t.Fatalf("email %+v", e)
			}
			if box := r.pending(res.TicketID); len(box) != 0 {
				t.Fatalf("outbox still holds %v", box)
			}
		}

		{ // no email without the preference
			only("e-quiet")
			before := len(r.out.emails(t))
			res := r.apply()
			c := r.conv(res.TicketID)
			checkOwned(t, c.Ticket, "e-quiet", "")
			r.oneNote(helpdesk.AgentRecipient("e-quiet"), helpdesk.NotifyAssigned, c.Ticket)
			if after := len(r.out.emails(t)); after != before {
				t.Fatalf("%d emails published, want none", after-before)
			}
			if box := r.pending(res.TicketID); len(box) != 0 {
				t.Fatalf("outbox holds %v", box)
			}
		}

		{ // failed flush completed on redelivery
			only("e-mail")
			m := r.message("late@example.com")
			r.out.setFail(true)
			before := len(r.out.emails(t))
			res, err := r.svc.Apply(r.ctx, m)
			if !errors.Is(err, errQueueDown) {
				t.Fatalf("Apply with the queue down: %+v, %v; want the queue's error", res, err)
			}
			if res.TicketID == "" {
				t.Fatalf("Apply with the queue down returned no ticket id: %+v", res)
			}
			id := res.TicketID
			c := r.conv(id)
			checkOwned(t, c.Ticket, "e-mail", "") // the ticket is committed...
			n := r.oneNote(helpdesk.AgentRecipient("e-mail"), helpdesk.NotifyAssigned, c.Ticket)
			box := r.pending(id) // ...and so is its unpublished email
			if len(box) != 1 {
				t.Fatalf("pending outbox %v, want one job", box)
			}
			if len(r.out.emails(t)) != before {
				t.Fatal("a job was recorded as published while the queue was down")
			}

			r.out.setFail(false)
			again, err := r.svc.Apply(r.ctx, m)
			if err != nil {
				t.Fatal(err)
			}
			if !again.Duplicate || again.TicketID != id || again.Created {
				t.Fatalf("redelivery: %+v, want a duplicate of ticket %s", again, id)
			}
			emails := r.out.emailsFor(t, id)
			if e := emails["e-mail"]; len(emails) != 1 || e.NotificationID != n.ID || e.ToEmail != "e-mail@desk.example" {
				t.Fatalf("emails after redelivery %+v", emails)
			}
			if box := r.pending(id); len(box) != 0 {
				t.Fatalf("outbox after redelivery %v, want empty", box)
			}
			if got := len(r.conv(id).Activities); got != 1 {
				t.Fatalf("%d activities after redelivery, want 1", got)
			}

			// A third delivery has nothing left to send.
			if _, err := r.svc.Apply(r.ctx, m); err != nil {
				t.Fatal(err)
			}
			if got := len(r.out.emailsFor(t, id)); got != 1 {
				t.Fatalf("%d emails after a third delivery, want 1", got)
			}
			if got := r.load("e-mail"); got != 2 {
				t.Fatalf("e-mail load %d, want 2 (redeliveries count nothing)", got)
			}
		}
	})
}

// A reply threaded into an existing ticket is appended, not routed again:
// same owner, one activity, no new notification or email, no round-robin
// turn used, no load added.
func TestAppendIsNotRerouted(t *testing.T) {
	eachStore(t, func(t *testing.T, backend testbed.Backend) {
		byConversation := threading.Func(func(m *helpdesk.InboundMessage) threading.Thread {
			k := "conv#" + m.Sender.Email
			return threading.Thread{Lookup: []threading.Key{{Key: k, Reason: "same_sender"}}, Own: []string{k}}
		})
		r := newRig(t, backend, byConversation)
		a := agent("ap-a")
		a.Notify.EmailOnAssignment = true
		b := agent("ap-b")
		b.Notify.EmailOnAssignment = true
		r.agents(a, b)
		r.team("support", "ap-a", "ap-b")
		r.rule(helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, TeamIDs: []string{"support"}})

		res := r.applyFrom("thread@example.com")
		if res.OwnerID != "ap-a" {
			t.Fatalf("first ticket went to %q, want ap-a", res.OwnerID)
		}
		sent := len(r.out.emails(t))

		reply, err := r.svc.Apply(r.ctx, r.message("thread@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if reply.Created || reply.Duplicate || reply.TicketID != res.TicketID || reply.OwnerID != "" || reply.Reason != "same_sender" {
			t.Fatalf("reply: %+v, want appended to ticket %s", reply, res.TicketID)
		}
		c := r.conv(res.TicketID)
		checkOwned(t, c.Ticket, "ap-a", "support")
		if len(c.Messages) != 2 || c.Ticket.MessageCount != 2 {
			t.Fatalf("ticket has %d messages (count %d), want 2", len(c.Messages), c.Ticket.MessageCount)
		}
		r.routing(c) // still exactly one (the first) routing activity
		// One assignment (not routed again); the owner is told the
		// customer wrote.
		kinds := map[helpdesk.NotificationKind]int{}
		for _, n := range r.notes(helpdesk.AgentRecipient("ap-a"), res.TicketID) {
			kinds[n.Kind]++
		}
		if len(kinds) != 2 || kinds[helpdesk.NotifyAssigned] != 1 || kinds[helpdesk.NotifyCustomerMessage] != 1 {
			t.Fatalf("ap-a's notifications about the ticket: %v, want one assigned and one customer_message", kinds)
		}
		r.noNotes(helpdesk.AgentRecipient("ap-b"), res.TicketID)
		if got := len(r.out.emails(t)); got != sent {
			t.Fatalf("%d emails published for the reply, want none", got-sent)
		}
		if got := r.load("ap-a"); got != 1 {
			t.Fatalf("ap-a load %d, want 1", got)
		}

		// The rotation did not advance for the reply: the next new ticket is ap-b's.
		if next := r.applyFrom("other@example.com"); next.OwnerID != "ap-b" {
			t.Fatalf("next new ticket went to %q, want ap-b", next.OwnerID)
		}
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
