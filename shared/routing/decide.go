package routing

import (
	"math/rand/v2"
	"sort"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Input is everything one routing decision depends on.
type Input struct {
	Rule           helpdesk.RoutingRule
	ContactOwnerID string                    // the ticket's contact's owner, for RouteContactOwner
	Agents         map[string]helpdesk.Agent // profiles of every candidate (missing = unknown user)
	TeamMembers    map[string][]string       // members of the rule's teams
	Loads          map[string]int            // open tickets of the ticket's type in the window, per agent
	Slot           int64                     // round robin: this decision's slot in the rule's rotation
	Now            time.Time
	Rand           func(n int) int // uniform in [0, n)
}

// Decision is the outcome: an owner (or none) and a team (or none), with
// the explanation recorded on the ticket.
type Decision struct {
	OwnerID string
	TeamID  string
	Record  helpdesk.RoutingRecord
}

// Reasons for a decision.
const (
	ReasonRuleNobody       = "rule_nobody"
	ReasonTeamOnly         = "team_only"
	ReasonNoEligibleUser   = "no_eligible_user"
	ReasonNoContactOwner   = "contact_has_no_owner"
	ReasonContactOwner     = "contact_owner"
	ReasonFewestOpen       = "fewest_open_tickets"
	ReasonRoundRobin       = "round_robin_turn"
	ReasonRandom           = "random_pick"
	ReasonOwnerNotEligible = "contact_owner_not_eligible"
)

// Candidates lists the users a rule considers, sorted and without repeats:
// the selected users and the members of the selected teams.
func Candidates(rule helpdesk.RoutingRule, teamMembers map[string][]string) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, id := range rule.UserIDs {
		add(id)
	}
	for _, t := range rule.TeamIDs {
		for _, id := range teamMembers[t] {
			add(id)
		}
	}
	sort.Strings(ids)
	return ids
}

// Decide applies a channel's routing rule.
func Decide(in Input) Decision {
	rule := in.Rule
	if in.Rand == nil {
		in.Rand = rand.IntN
	}
	rec := helpdesk.RoutingRecord{Rule: ruleKind(rule), Distribution: rule.Distribution}
	team := rule.TeamID
	if team == "" && len(rule.TeamIDs) == 1 {
		team = rule.TeamIDs[0]
	}
	switch rec.Rule {
	case helpdesk.RouteNobody:
		rec.Reason = ReasonRuleNobody
		return Decision{Record: rec}
	case helpdesk.RouteTeamOnly:
		rec.Reason, rec.TeamID = ReasonTeamOnly, team
		return Decision{TeamID: team, Record: rec}
	case helpdesk.RouteUsersTeams:
		rec.Distribution = distribution(rule)
	case helpdesk.RouteContactOwner:
		if in.ContactOwnerID == "" {
			rec.Reason, rec.TeamID = ReasonNoContactOwner, team
			return Decision{TeamID: team, Record: rec}
		}
		c := in.consider(in.ContactOwnerID)
		rec.Candidates = []helpdesk.Candidate{c}
		if !c.Eligible {
			rec.Reason, rec.TeamID = ReasonOwnerNotEligible, team
			return Decision{TeamID: team, Record: rec}
		}
		rec.Reason, rec.OwnerID, rec.TeamID = ReasonContactOwner, c.AgentID, team
		return Decision{OwnerID: c.AgentID, TeamID: team, Record: rec}
	}

	var eligible []helpdesk.Candidate
	for _, id := range Candidates(rule, in.TeamMembers) {
		c := in.consider(id)
		rec.Candidates = append(rec.Candidates, c)
		if c.Eligible {
			eligible = append(eligible, c)
		}
	}
	if len(eligible) == 0 {
		rec.Reason, rec.TeamID = ReasonNoEligibleUser, team
		return Decision{TeamID: team, Record: rec}
	}
	var pick helpdesk.Candidate
	switch distribution(rule) {
	case helpdesk.DistRoundRobin:
		i := in.Slot % int64(len(eligible))
		if i < 0 {
			i += int64(len(eligible))
		}
		pick, rec.Reason = eligible[i], ReasonRoundRobin
	case helpdesk.DistRandom:
		pick, rec.Reason = eligible[in.Rand(len(eligible))], ReasonRandom
	default:
		var least []helpdesk.Candidate
		for _, c := range eligible {
			switch {
			case len(least) == 0 || c.Load < least[0].Load:
				least = []helpdesk.Candidate{c}
			case c.Load == least[0].Load:
				least = append(least, c)
			}
		}
		// A random pick among the least loaded keeps concurrent routers
		// from all choosing the same user and colliding.
		pick, rec.Reason = least[in.Rand(len(least))], ReasonFewestOpen
	}
	if team == "" {
		team = teamOf(pick.AgentID, rule.TeamIDs, in.TeamMembers)
	}
	rec.OwnerID, rec.TeamID = pick.AgentID, team
	return Decision{OwnerID: pick.AgentID, TeamID: team, Record: rec}
}

// ruleKind treats an empty or unknown rule as "nobody": a ticket is never
// assigned by a rule nobody understands.
func ruleKind(r helpdesk.RoutingRule) helpdesk.RoutingRuleKind {
	switch r.Kind {
	case helpdesk.RouteUsersTeams, helpdesk.RouteTeamOnly, helpdesk.RouteContactOwner:
		return r.Kind
	}
	return helpdesk.RouteNobody
}

func (in Input) consider(id string) helpdesk.Candidate {
	c := helpdesk.Candidate{AgentID: id, Load: in.Loads[id]}
	a, ok := in.Agents[id]
	if !ok {
		c.Skipped = SkipUnknown
		return c
	}
	c.Eligible, c.Skipped = Eligible(a, in.Rule, in.Now)
	return c
}

// teamOf is the first of the rule's teams the user belongs to.
func teamOf(agentID string, teams []string, members map[string][]string) string {
	for _, t := range teams {
		for _, m := range members[t] {
			if m == agentID {
				return t
			}
		}
	}
	return ""
}

// distribution is how a rule distributes: round robin, random, or load
// balanced (the default, also for a value this version does not know).
// Plan and Decide both ask it, so what is read and what is decided agree.
func distribution(rule helpdesk.RoutingRule) helpdesk.Distribution {
	switch rule.Distribution {
	case helpdesk.DistRoundRobin, helpdesk.DistRandom:
		return rule.Distribution
	}
	return helpdesk.DistLoadBalanced
}
