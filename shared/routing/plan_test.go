package routing_test

import (
	"context"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
)

// fresh is a directory of agents nobody ever assigned a ticket to: they
// have no load item yet.
type fresh map[string]helpdesk.Agent

func (f fresh) GetAgents(_ context.Context, ids []string) (map[string]helpdesk.Agent, error) {
	out := map[string]helpdesk.Agent{}
	for _, id := range ids {
		if a, ok := f[id]; ok {
			out[id] = a
		}
	}
	return out, nil
}
func (fresh) TeamMembers(context.Context, []string) (map[string][]string, error) { return nil, nil }
func (fresh) Loads(context.Context, []string, helpdesk.TicketType, time.Time) (map[string]routing.Load, error) {
	return map[string]routing.Load{}, nil // no item: DynamoDB returns nothing for them
}
func (fresh) NextSlot(context.Context, string) (int64, error) { return 0, nil }

// A load-balanced pick of an agent with no load item yet is still
// conditioned on that load (version 0), so two routers that both pick a
// new agent cannot both commit.
func TestLoadBalancedPickOfANewAgentIsConditioned(t *testing.T) {
	dir := fresh{"ann": {ID: "ann", Seat: true, Active: true}}
	r := &routing.Router{Store: dir, Now: func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }, Rand: func(int) int { return 0 }}
	ch := helpdesk.Channel{ID: "web", Routing: helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams,
		Distribution: helpdesk.DistLoadBalanced, UserIDs: []string{"ann"}, AnyAvailability: true}}
	p, err := r.Plan(context.Background(), ch, &helpdesk.Ticket{ID: "1", Type: helpdesk.TypeEmailOther}, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Decision.OwnerID != "ann" || p.Expect == nil || p.Expect.Version != 0 {
		t.Fatalf("plan %+v, expect %+v; want ann with her load (none yet: version 0) to condition on", p.Decision, p.Expect)
	}
}
