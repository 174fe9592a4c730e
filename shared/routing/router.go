package routing

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/queue"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Store is what the router reads.
type Store interface {
	GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error)
	TeamMembers(ctx context.Context, ids []string) (map[string][]string, error)
	Loads(ctx context.Context, agentIDs []string, typ helpdesk.TicketType, now time.Time) (map[string]store.Load, error)
	NextSlot(ctx context.Context, rotation string) (int64, error)
}

// Router gathers a decision's inputs from the table and turns the decision
// into the records written with the ticket.
type Router struct {
	Store Store
	Now   func() time.Time
	Rand  func(n int) int
}

// Plan is a decision ready to be written: the ticket fields it sets and the
// records (activity, notifications, outbox, load conditions) that go with it.
type Plan struct {
	Decision Decision
	Routing  store.Routing
}

// Plan decides who gets ticket t arriving on channel ch. contactOwnerID is
// the owner of t's contact ("" if none or unknown).
func (r *Router) Plan(ctx context.Context, ch helpdesk.Channel, t *helpdesk.Ticket, contactOwnerID string) (Plan, error) {
	rule := ch.Routing
	now := r.Now()
	in := Input{Rule: rule, ContactOwnerID: contactOwnerID, Now: now, Rand: r.Rand}
	var ids []string
	switch ruleKind(rule) {
	case helpdesk.RouteUsersTeams:
		members, err := r.Store.TeamMembers(ctx, rule.TeamIDs)
		if err != nil {
			return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
		}
		in.TeamMembers = members
		ids = Candidates(rule, members)
	case helpdesk.RouteContactOwner:
		if contactOwnerID != "" {
			ids = []string{contactOwnerID}
		}
	}
	var expect map[string]store.Load
	if len(ids) > 0 {
		agents, err := r.Store.GetAgents(ctx, ids)
		if err != nil {
			return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
		}
		in.Agents = agents
		switch {
		case ruleKind(rule) == helpdesk.RouteUsersTeams && (rule.Distribution == helpdesk.DistLoadBalanced || rule.Distribution == ""):
			loads, err := r.Store.Loads(ctx, ids, t.Type, now)
			if err != nil {
				return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
			}
			in.Loads = map[string]int{}
			for id, l := range loads {
				in.Loads[id] = l.Count
			}
			expect = loads
		case ruleKind(rule) == helpdesk.RouteUsersTeams && rule.Distribution == helpdesk.DistRoundRobin:
			// One rotation per channel and ticket type.
			slot, err := r.Store.NextSlot(ctx, ch.ID+"#"+string(t.Type))
			if err != nil {
				return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
			}
			in.Slot = slot
		}
	}
	d := Decide(in)
	recipients := in.Agents
	if d.OwnerID == "" && d.TeamID != "" {
		// The team is told of a new unassigned ticket: read its members'
		// email preferences.
		var err error
		if recipients, err = r.teamAgents(ctx, d.TeamID); err != nil {
			return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
		}
	}
	p := Plan{Decision: d}
	p.Routing = r.records(t, d, recipients, now)
	if d.OwnerID != "" && expect != nil {
		// Only the pick's load is conditioned: the decision was right if
		// nobody changed that user's load since it was read.
		p.Routing.ExpectLoads = map[string]store.Load{d.OwnerID: expect[d.OwnerID]}
	}
	return p, nil
}

func (r *Router) teamAgents(ctx context.Context, team string) (map[string]helpdesk.Agent, error) {
	members, err := r.Store.TeamMembers(ctx, []string{team})
	if err != nil || len(members[team]) == 0 {
		return nil, err
	}
	return r.Store.GetAgents(ctx, members[team])
}

// Apply sets the decision's owner and team on t.
func (d Decision) Apply(t *helpdesk.Ticket, now time.Time) {
	t.OwnerID, t.TeamID = d.OwnerID, d.TeamID
	if d.OwnerID != "" {
		t.AssignedAt = now
	}
}

func (r *Router) records(t *helpdesk.Ticket, d Decision, agents map[string]helpdesk.Agent, now time.Time) store.Routing {
	rec := d.Record
	out := store.Routing{Activity: helpdesk.Activity{
		ID: helpdesk.NewID(), TicketID: t.ID, Kind: helpdesk.ActivityRouted, ActorID: helpdesk.ActorRouter,
		At: now, To: d.OwnerID, Routing: &rec,
	}}
	notify := func(recipient string, kind helpdesk.NotificationKind) helpdesk.Notification {
		n := helpdesk.Notification{ID: helpdesk.NewID(), Recipient: recipient, Kind: kind, TicketID: t.ID, Subject: t.Subject, At: now}
		out.Notifications = append(out.Notifications, n)
		return n
	}
	switch {
	case d.OwnerID != "":
		n := notify(helpdesk.AgentRecipient(d.OwnerID), helpdesk.NotifyAssigned)
		if a := agents[d.OwnerID]; a.Notify.EmailOnAssignment && a.Email != "" {
			out.Outbox = emailJob(out.Outbox, n, a, fmt.Sprintf("[#%s] assigned to you: %s", t.ID, t.Subject))
		}
	case d.TeamID != "":
		n := notify(helpdesk.TeamRecipient(d.TeamID), helpdesk.NotifyTeamUnassigned)
		for _, a := range agents {
			if a.Notify.EmailOnTeamUnassigned && a.Email != "" && a.Active {
				out.Outbox = emailJob(out.Outbox, n, a, fmt.Sprintf("[#%s] new unassigned ticket for your team: %s", t.ID, t.Subject))
			}
		}
	}
	return out
}

func emailJob(box map[string]string, n helpdesk.Notification, a helpdesk.Agent, subject string) map[string]string {
	job := queue.NotificationEmail{
		NotificationID: n.ID, TicketID: n.TicketID, Kind: n.Kind,
		ToAgentID: a.ID, ToEmail: a.Email, ToName: a.Name, Subject: subject,
	}
	body, err := queue.Encode(queue.KindNotificationEmail, job)
	if err != nil {
		return box // cannot happen for this plain struct; the in-app record still stands
	}
	if box == nil {
		box = map[string]string{}
	}
	box[n.ID+"#"+a.ID] = string(body)
	return box
}
