package ticket

// SLAs (issue 15): every decision that changes a ticket also decides its
// SLA clocks (helpdesk.SLA), in Change.finish, so the bookkeeping is
// committed in the event's own transaction and no way of changing a ticket
// can forget it. The rules:
//
//   - Policy: the first policy of the settings whose conditions match the
//     ticket (priority, channel, team, category) is applied when the ticket
//     is created and re-selected when its priority, team, category or
//     channel changes. The calendar (the team's, else the tenant's default,
//     or none for a policy that runs around the clock) is fixed on the
//     ticket with it. A new policy (or calendar) moves each running target
//     by the difference of the budgets, keeping the time already used and
//     any pause; a target the new policy lacks stops being tracked if it was
//     still running; a kind it adds starts as it would have (first response
//     from creation if nobody answered yet, close from creation if open).
//     No policy matching any more stops the running targets.
//   - A settings change applies to new events: due dates already computed
//     stay; a new target (a next response, a resume) takes the ticket's
//     policy's minutes as the settings now have them; a policy deleted
//     since starts no new target until a property change re-selects.
//   - first_response starts at creation, is met by the first agent reply
//     (an outbound message an agent wrote: not a note, not a greeting).
//   - next_response starts at a customer message when no response target
//     is open and an agent has answered before (or a response target was
//     stopped by a close), and is met by the next agent reply; each cycle
//     replaces the previous one's target on the ticket.
//   - close starts at creation and is met when the ticket closes. Closing
//     stops the open response targets (neither met nor breached, unless
//     already past due: then breached). A reopen does not restart the close
//     target (it was met once); the customer's message that reopens starts
//     a next_response.
//   - Pause: a status change into a stage marked WaitingOnCustomer pauses
//     every running target (policies with PauseWhenWaiting); a status change
//     out of it, or a customer message, resumes them with the budget left.
//   - Merge: the primary keeps its clocks (the secondary's messages join it
//     but are no event); the tombstone's clocks stop being checked. An
//     unmerge brings the secondary's clocks back as they were.
//   - Split: the new ticket is a new ticket: its clocks start at the split.
//   - Spam: a spam ticket is not checked (no warnings); its clocks are not
//     stopped, so "not spam" finds what fell due meanwhile and the sweep
//     records it.
//   - MetAt, BreachedAt and WarnedAt are recorded once. BreachedAt is the
//     due date (when it breached), whether the sweep (CheckSLA) or a late
//     event records it; only the sweep notifies.
//   - NextCheckAt is the earliest un-warned WarnAt or DueAt of the ticking
//     targets (not met, not breached, not stopped, not paused) of an open
//     ticket; zero when there is none.

import (
	"fmt"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/bizhours"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Clock is business-time arithmetic (shared/bizhours): a compiled
// calendar, or bizhours.AroundTheClock.
type Clock = bizhours.Clock

// clockFor returns the clock of calendar id in set: around the clock for
// "" and for a calendar the settings no longer have or cannot compile.
func clockFor(set *helpdesk.Settings, id string) Clock {
	if set == nil || id == "" {
		return bizhours.AroundTheClock{}
	}
	for _, cal := range set.SLA.Calendars {
		if cal.ID == id {
			if clk, err := compileCalendar(cal); err == nil && clk != nil {
				return clk
			}
			break
		}
	}
	return bizhours.AroundTheClock{}
}

// MatchPolicy returns the first policy of set whose conditions t meets.
func MatchPolicy(set helpdesk.Settings, t helpdesk.Ticket) (helpdesk.SLAPolicy, bool) {
	for _, p := range set.SLA.Policies {
		if (len(p.Priorities) == 0 || slices.Contains(p.Priorities, t.Priority)) &&
			(len(p.Channels) == 0 || slices.Contains(p.Channels, t.ChannelKind)) &&
			(len(p.Teams) == 0 || slices.Contains(p.Teams, t.TeamID)) &&
			(len(p.Categories) == 0 || slices.Contains(p.Categories, t.Category)) {
			return p, true
		}
	}
	return helpdesk.SLAPolicy{}, false
}

// calendarFor is the calendar p's clocks run in on t: none around the
// clock, else the team's, else the tenant's default.
func calendarFor(set helpdesk.Settings, p helpdesk.SLAPolicy, t helpdesk.Ticket) string {
	if !p.BusinessHours {
		return ""
	}
	if c := set.SLA.TeamCalendars[t.TeamID]; t.TeamID != "" && c != "" {
		return c
	}
	return set.SLA.DefaultCalendar
}

func policyByID(set *helpdesk.Settings, id string) *helpdesk.SLAPolicy {
	if set == nil {
		return nil
	}
	for i, p := range set.SLA.Policies {
		if p.ID == id {
			return &set.SLA.Policies[i]
		}
	}
	return nil
}

func budget(p *helpdesk.SLAPolicy, kind helpdesk.SLATargetKind) time.Duration {
	if p == nil {
		return 0
	}
	m := map[helpdesk.SLATargetKind]int{helpdesk.SLAFirstResponse: p.FirstResponseMinutes,
		helpdesk.SLANextResponse: p.NextResponseMinutes, helpdesk.SLAClose: p.CloseMinutes}[kind]
	return time.Duration(m) * time.Minute
}

var slaKinds = []helpdesk.SLATargetKind{helpdesk.SLAFirstResponse, helpdesk.SLANextResponse, helpdesk.SLAClose}

func isResponse(k helpdesk.SLATargetKind) bool {
	return k == helpdesk.SLAFirstResponse || k == helpdesk.SLANextResponse
}

// ticking: the target still needs a warning or a breach recorded.
func ticking(t helpdesk.SLATarget) bool { return t.Running() && t.BreachedAt.IsZero() }

// sla decides the SLA of every ticket the change writes: once per
// decision, from the SLA the decision started with (so a change finished
// twice, a reply and then its status, decides it once from the start).
func (c *Change) sla(now time.Time) {
	if c.slaBase == nil {
		c.slaBase = map[string]*helpdesk.SLA{}
	}
	for _, w := range c.Tickets {
		t := w.After
		if t == nil {
			continue
		}
		base, ok := c.slaBase[t.ID]
		if !ok {
			base = t.SLA.Clone()
			c.slaBase[t.ID] = base
		}
		t.SLA = decideSLA(base.Clone(), w.Before, t, c.Messages, c.set, now)
	}
}

// slaRun is one decision's work on one ticket's SLA.
type slaRun struct {
	s     *helpdesk.SLA
	clock Clock
	pol   *helpdesk.SLAPolicy // the ticket's policy as the settings now have it; nil: unknown
}

func decideSLA(s *helpdesk.SLA, before, t *helpdesk.Ticket, msgs []helpdesk.Message, set *helpdesk.Settings, now time.Time) *helpdesk.SLA {
	if set != nil && (before == nil || reselect(*before, *t)) {
		s = applyPolicy(s, before == nil, *t, *set, now)
	}
	if s == nil {
		return nil
	}
	r := slaRun{s: s, clock: clockFor(set, s.CalendarID), pol: policyByID(set, s.PolicyID)}
	replied := before != nil && !before.LastAgentReplyAt.IsZero()
	var events []helpdesk.Message
	for _, m := range msgs {
		if m.TicketID == t.ID && (m.Direction == helpdesk.Inbound || agentReply(m)) {
			events = append(events, m)
		}
	}
	slices.SortStableFunc(events, func(a, b helpdesk.Message) int { return a.CreatedAt.Compare(b.CreatedAt) })
	for _, m := range events {
		at := m.CreatedAt.UTC()
		if m.Direction == helpdesk.Inbound {
			if set != nil { // a resume and a new target need the clock and the policy
				r.resume(at)
				r.customerMessage(at, replied)
			}
			continue
		}
		r.agentReply(at)
		replied = true
	}
	if before != nil {
		switch {
		case t.State == helpdesk.StateClosed && before.State != helpdesk.StateClosed:
			r.close(now)
		case set != nil && (before.Status != t.Status || before.Pipeline != t.Pipeline) && t.State == helpdesk.StateOpen:
			if waiting(*set, *t) {
				if r.pol != nil && r.pol.PauseWhenWaiting {
					r.pause(now)
				}
			} else {
				r.resume(now)
			}
		}
	}
	s.NextCheckAt = nextCheck(s, t.State)
	return s
}

// agentReply: an agent's answer to the customer (as lastAgentReply counts it).
func agentReply(m helpdesk.Message) bool {
	return m.Direction == helpdesk.Outbound && m.AuthorAgentID != ""
}

// reselect: a property a policy's conditions read changed.
func reselect(before, t helpdesk.Ticket) bool {
	return before.Priority != t.Priority || before.TeamID != t.TeamID || before.Category != t.Category ||
		before.ChannelKind != t.ChannelKind
}

// applyPolicy (re)selects t's policy (see the file comment).
func applyPolicy(s *helpdesk.SLA, created bool, t helpdesk.Ticket, set helpdesk.Settings, now time.Time) *helpdesk.SLA {
	p, ok := MatchPolicy(set, t)
	if !ok {
		if s == nil || created {
			return nil
		}
		for i := range s.Targets {
			stop(&s.Targets[i], now)
		}
		s.PolicyID, s.CalendarID = "", ""
		return s
	}
	cal := calendarFor(set, p, t)
	if !created && s != nil && s.PolicyID == p.ID && s.CalendarID == cal {
		return s // the same policy: the clocks run on
	}
	clk := clockFor(&set, cal)
	if created || s == nil {
		old := s
		s = &helpdesk.SLA{PolicyID: p.ID, CalendarID: cal}
		r := slaRun{s: s, clock: clk, pol: &p}
		for _, k := range slaKinds {
			if created {
				if k != helpdesk.SLANextResponse {
					r.start(k, t.CreatedAt)
				}
				continue
			}
			r.adopt(k, t, old)
		}
		return s
	}
	old := clockFor(&set, s.CalendarID)
	s.PolicyID, s.CalendarID = p.ID, cal
	r := slaRun{s: s, clock: clk, pol: &p}
	for _, k := range slaKinds {
		i := slices.IndexFunc(s.Targets, func(x helpdesk.SLATarget) bool { return x.Kind == k })
		nb := budget(&p, k)
		if i < 0 {
			if nb > 0 {
				r.adopt(k, t, s)
			}
			continue
		}
		tg := &s.Targets[i]
		if !tg.Running() {
			continue // met or stopped: its outcome stays
		}
		if nb == 0 {
			s.Targets = slices.Delete(s.Targets, i, i+1) // the new policy has no such target
			continue
		}
		diff := nb - tg.Budget
		tg.Budget = nb
		switch {
		case !tg.BreachedAt.IsZero():
			// Breached stays breached; it still waits to be met.
		case tg.Paused():
			tg.Remaining += diff
		default:
			left := remaining(old, now, tg.DueAt) + diff
			tg.DueAt, tg.WarnAt = dueAt(clk, now, left, warn(&p))
		}
	}
	return s
}

// adopt starts a target of kind on a ticket that ran without one (a policy
// it gets mid-flight), from when it would have started.
func (r *slaRun) adopt(k helpdesk.SLATargetKind, t helpdesk.Ticket, old *helpdesk.SLA) {
	if _, had := old.Target(k); had {
		return
	}
	switch k {
	case helpdesk.SLAFirstResponse:
		if t.LastAgentReplyAt.IsZero() {
			r.start(k, t.CreatedAt)
		}
	case helpdesk.SLAClose:
		if t.State != helpdesk.StateClosed {
			r.start(k, t.CreatedAt)
		}
	case helpdesk.SLANextResponse:
		if !t.LastAgentReplyAt.IsZero() && t.LastCustomerMessageAt.After(t.LastAgentReplyAt) {
			r.start(k, t.LastCustomerMessageAt)
		}
	}
}

func warn(p *helpdesk.SLAPolicy) time.Duration {
	if p == nil {
		return 0
	}
	return time.Duration(p.WarnMinutes) * time.Minute
}

// start starts (or restarts) the clock of kind at `at`, if the policy
// sets a target of that kind.
func (r *slaRun) start(k helpdesk.SLATargetKind, at time.Time) {
	b := budget(r.pol, k)
	if b <= 0 {
		return
	}
	at = at.UTC()
	tg := helpdesk.SLATarget{Kind: k, StartedAt: at, Budget: b}
	tg.DueAt, tg.WarnAt = dueAt(r.clock, at, b, warn(r.pol))
	if i := slices.IndexFunc(r.s.Targets, func(x helpdesk.SLATarget) bool { return x.Kind == k }); i >= 0 {
		r.s.Targets[i] = tg
		return
	}
	r.s.Targets = append(r.s.Targets, tg)
}

// dueAt is the due date `left` of clock time after from, and its warning
// `w` before it (at once when less than w is left; none without w).
func dueAt(clk Clock, from time.Time, left, w time.Duration) (due, warnAt time.Time) {
	if left <= 0 {
		return from, time.Time{} // due already
	}
	due = clk.Add(from, left).UTC()
	if w > 0 {
		warnAt = from
		if left > w {
			warnAt = clk.Add(from, left-w).UTC()
		}
	}
	return due, warnAt
}

// remaining is the clock time from now to due, negative once past it.
func remaining(clk Clock, now, due time.Time) time.Duration {
	if due.After(now) {
		return clk.Between(now, due)
	}
	return -clk.Between(due, now)
}

func (r *slaRun) customerMessage(at time.Time, replied bool) {
	stopped := false
	for _, tg := range r.s.Targets {
		if isResponse(tg.Kind) && tg.Running() {
			return // still waiting for an answer: its clock runs from the first message
		}
		stopped = stopped || (isResponse(tg.Kind) && !tg.StoppedAt.IsZero())
	}
	if replied || stopped {
		r.start(helpdesk.SLANextResponse, at)
	}
}

func (r *slaRun) agentReply(at time.Time) {
	for i := range r.s.Targets {
		tg := &r.s.Targets[i]
		if isResponse(tg.Kind) && tg.Running() && !at.Before(tg.StartedAt) {
			meet(tg, at)
		}
	}
}

// meet records that tg was met at `at`, and its breach if that was late.
func meet(tg *helpdesk.SLATarget, at time.Time) {
	if tg.Paused() {
		tg.PausedAt, tg.Remaining = time.Time{}, 0
	}
	late(tg, at)
	tg.MetAt = at
}

// stop stops tg's clock at `at` unmet, recording its breach if it was due.
func stop(tg *helpdesk.SLATarget, at time.Time) {
	if !tg.Running() {
		return
	}
	if tg.Paused() {
		tg.PausedAt, tg.Remaining = time.Time{}, 0
	}
	late(tg, at)
	tg.StoppedAt = at
}

func late(tg *helpdesk.SLATarget, at time.Time) {
	if tg.BreachedAt.IsZero() && !tg.DueAt.IsZero() && at.After(tg.DueAt) {
		tg.BreachedAt = tg.DueAt
	}
}

func (r *slaRun) close(now time.Time) {
	for i := range r.s.Targets {
		tg := &r.s.Targets[i]
		switch {
		case !tg.Running():
		case tg.Kind == helpdesk.SLAClose:
			meet(tg, now)
		default:
			stop(tg, now)
		}
	}
}

// pause stops the ticking clocks that are not yet due, keeping the time
// left.
func (r *slaRun) pause(now time.Time) {
	for i := range r.s.Targets {
		tg := &r.s.Targets[i]
		if ticking(*tg) && !tg.Paused() && tg.DueAt.After(now) {
			tg.Remaining = r.clock.Between(now, tg.DueAt)
			tg.PausedAt, tg.DueAt, tg.WarnAt = now, time.Time{}, time.Time{}
		}
	}
}

// resume restarts the paused clocks at `at` with the time they had left.
func (r *slaRun) resume(at time.Time) {
	for i := range r.s.Targets {
		tg := &r.s.Targets[i]
		if !tg.Paused() {
			continue
		}
		from := at
		if from.Before(tg.PausedAt) {
			from = tg.PausedAt
		}
		tg.DueAt, tg.WarnAt = dueAt(r.clock, from, tg.Remaining, warn(r.pol))
		tg.PausedAt, tg.Remaining = time.Time{}, 0
	}
}

// nextCheck is when the sweep must next look at an SLA (zero: never).
func nextCheck(s *helpdesk.SLA, state helpdesk.State) time.Time {
	var next time.Time
	if state != helpdesk.StateOpen {
		return next
	}
	earlier := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	for _, tg := range s.Targets {
		if !ticking(tg) || tg.Paused() {
			continue
		}
		if tg.WarnedAt.IsZero() {
			earlier(tg.WarnAt)
		}
		earlier(tg.DueAt)
	}
	return next
}

// SLACheckDue reports whether t has a warning or a breach to check at now
// (CheckSLA decides nothing otherwise): a caller may skip the reads its
// audience needs.
func SLACheckDue(t helpdesk.Ticket, now time.Time) bool {
	return t.SLA != nil && t.State == helpdesk.StateOpen && !t.SLA.NextCheckAt.IsZero() && !t.SLA.NextCheckAt.After(now)
}

// CheckSLA is the sweep's decision on ticket t at now (its NextCheckAt
// come): it records each ticking target's warning (WarnAt passed) and
// breach (DueAt passed), each once, tells the owner, or the team if the
// ticket is unassigned (aud: the owner, or the team's members, to email),
// and advances NextCheckAt. A breach found with its warning unsent sends
// only the breach. Conditioned on the version read, like every change: an
// event committed meanwhile (a reply meeting the target) makes it lose,
// and the sweep reads again. ErrNoChange when nothing is due.
func CheckSLA(t helpdesk.Ticket, aud Audience, set helpdesk.Settings, now time.Time) (Change, error) {
	if !SLACheckDue(t, now) {
		return Change{}, ErrNoChange
	}
	c := update(t, now)
	c.set = &set
	n := c.Ticket()
	s := n.SLA
	var warned, breached []helpdesk.SLATargetKind
	for i := range s.Targets {
		tg := &s.Targets[i]
		if !ticking(*tg) || tg.Paused() {
			continue
		}
		if !tg.DueAt.IsZero() && !tg.DueAt.After(now) {
			tg.BreachedAt = tg.DueAt
			breached = append(breached, tg.Kind)
			continue
		}
		if tg.WarnedAt.IsZero() && !tg.WarnAt.IsZero() && !tg.WarnAt.After(now) {
			tg.WarnedAt = now
			warned = append(warned, tg.Kind)
		}
	}
	if len(warned)+len(breached) == 0 && nextCheck(s, n.State).Equal(t.SLA.NextCheckAt) {
		return Change{}, ErrNoChange
	}
	if len(breached) > 0 {
		c.tellSLA(n, aud, helpdesk.NotifySLABreach, breached, now)
	}
	if len(warned) > 0 {
		c.tellSLA(n, aud, helpdesk.NotifySLAWarning, warned, now)
	}
	c.finish(now)
	return c, nil
}

// tellSLA tells t's owner (or, unassigned, its team's feed and the members
// in aud) of a warning or a breach of kinds.
func (c *Change) tellSLA(t *helpdesk.Ticket, aud Audience, kind helpdesk.NotificationKind, kinds []helpdesk.SLATargetKind, now time.Time) {
	subject := slaSubject(t, kind, kinds)
	switch {
	case t.OwnerID != "":
		owner, ok := aud[t.OwnerID]
		if !ok {
			owner = helpdesk.Principal{Agent: helpdesk.Agent{ID: t.OwnerID}} // told in the feed only
		}
		c.tellSubject(t, owner.Agent, kind, helpdesk.ActorSLA, "", subject, now)
	case t.TeamID != "":
		members := map[string]helpdesk.Agent{}
		for id, p := range aud {
			if slices.Contains(p.Teams, t.TeamID) {
				members[id] = p.Agent
			}
		}
		c.tellTeamOf(t, t.TeamID, members, kind, helpdesk.ActorSLA, subject, now)
	}
}

func slaSubject(t *helpdesk.Ticket, kind helpdesk.NotificationKind, kinds []helpdesk.SLATargetKind) string {
	names := map[helpdesk.SLATargetKind]string{helpdesk.SLAFirstResponse: "first response",
		helpdesk.SLANextResponse: "next response", helpdesk.SLAClose: "resolution"}
	what := ""
	for i, k := range kinds {
		if i > 0 {
			what += " and "
		}
		what += names[k]
	}
	if kind == helpdesk.NotifySLABreach {
		return fmt.Sprintf("[#%s] SLA breached (%s overdue): %s", t.ID, what, t.Subject)
	}
	return fmt.Sprintf("[#%s] SLA warning (%s due soon): %s", t.ID, what, t.Subject)
}
