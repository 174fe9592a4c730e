package routing

import (
	"reflect"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// decideNow is the fixed clock of every Decide test: Wednesday
// 2026-01-14 10:00 UTC.
var decideNow = utc(2026, time.January, 14, 10, 0)

// recRand records every n it is asked for and answers pick (or fails the
// test if pick is out of range).
type recRand struct {
	t    *testing.T
	pick int
	ns   []int
}

func (r *recRand) rand(n int) int {
	r.ns = append(r.ns, n)
	if r.pick < 0 || r.pick >= n {
		r.t.Fatalf("Rand(%d) asked; test wants index %d", n, r.pick)
	}
	return r.pick
}

// noRand fails the test if a distribution that must not be random asks.
func noRand(t *testing.T) func(int) int {
	return func(n int) int {
		t.Fatalf("Rand(%d) called unexpectedly", n)
		return 0
	}
}

func agents(as ...helpdesk.Agent) map[string]helpdesk.Agent {
	m := map[string]helpdesk.Agent{}
	for _, a := range as {
		m[a.ID] = a
	}
	return m
}

func away(id string) helpdesk.Agent {
	a := ready(id)
	a.Availability.Away = true
	return a
}

func noSeat(id string) helpdesk.Agent {
	a := ready(id)
	a.Seat = false
	return a
}

func cand(id string, eligible bool, skipped string, load int) helpdesk.Candidate {
	return helpdesk.Candidate{AgentID: id, Eligible: eligible, Skipped: skipped, Load: load}
}

func TestCandidates(t *testing.T) {
	members := map[string][]string{
		"t1": {"b", "a"},
		"t2": {"d", "c", ""},
		"t9": {"z"}, // not in the rule
	}
	tests := []struct {
		name string
		rule helpdesk.RoutingRule
		want []string
	}{
		{"nothing", helpdesk.RoutingRule{}, nil},
		{"users only, sorted", helpdesk.RoutingRule{UserIDs: []string{"c", "a", "b"}}, []string{"a", "b", "c"}},
		{"users repeated", helpdesk.RoutingRule{UserIDs: []string{"a", "a", "b", "a"}}, []string{"a", "b"}},
		{"empty user id dropped", helpdesk.RoutingRule{UserIDs: []string{"", "a"}}, []string{"a"}},
		{"teams only", helpdesk.RoutingRule{TeamIDs: []string{"t2", "t1"}}, []string{"a", "b", "c", "d"}},
		{"union, deduplicated", helpdesk.RoutingRule{UserIDs: []string{"c", "a", "e"}, TeamIDs: []string{"t1", "t2"}}, []string{"a", "b", "c", "d", "e"}},
		{"team repeated", helpdesk.RoutingRule{TeamIDs: []string{"t1", "t1"}}, []string{"a", "b"}},
		{"unknown team has no members", helpdesk.RoutingRule{UserIDs: []string{"x"}, TeamIDs: []string{"t404"}}, []string{"x"}},
		{"rule.TeamID does not add members", helpdesk.RoutingRule{UserIDs: []string{"x"}, TeamID: "t1"}, []string{"x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Candidates(tt.rule, members); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Candidates = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecideRules(t *testing.T) {
	members := map[string][]string{"t1": {"a", "b"}, "t2": {"c"}}
	all := agents(ready("a"), away("b"), ready("c"), noSeat("d"), ready("owner"), away("gone"))
	loads := map[string]int{"a": 3, "b": 1, "c": 5, "owner": 7, "gone": 2}

	tests := []struct {
		name         string
		rule         helpdesk.RoutingRule
		contactOwner string
		agents       map[string]helpdesk.Agent
		want         Decision
	}{
		{
			name: "zero rule routes to nobody",
			rule: helpdesk.RoutingRule{},
			want: Decision{Record: helpdesk.RoutingRecord{Rule: helpdesk.RouteNobody, Reason: ReasonRuleNobody}},
		},
		{
			name: "nobody ignores users and teams",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteNobody, UserIDs: []string{"a"}, TeamIDs: []string{"t1"}, TeamID: "t1"},
			want: Decision{Record: helpdesk.RoutingRecord{Rule: helpdesk.RouteNobody, Reason: ReasonRuleNobody}},
		},
		{
			name: "team only with TeamID",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteTeamOnly, TeamID: "t1"},
			want: Decision{TeamID: "t1", Record: helpdesk.RoutingRecord{Rule: helpdesk.RouteTeamOnly, TeamID: "t1", Reason: ReasonTeamOnly}},
		},
		{
			name: "team only with the single entry of TeamIDs",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteTeamOnly, TeamIDs: []string{"t2"}},
			want: Decision{TeamID: "t2", Record: helpdesk.RoutingRecord{Rule: helpdesk.RouteTeamOnly, TeamID: "t2", Reason: ReasonTeamOnly}},
		},
		{
			name: "team only: TeamID wins over TeamIDs",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteTeamOnly, TeamID: "t1", TeamIDs: []string{"t2"}},
			want: Decision{TeamID: "t1", Record: helpdesk.RoutingRecord{Rule: helpdesk.RouteTeamOnly, TeamID: "t1", Reason: ReasonTeamOnly}},
		},
		{
			name: "team only never sets an owner even with users",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteTeamOnly, TeamID: "t1", UserIDs: []string{"a"}},
			want: Decision{TeamID: "t1", Record: helpdesk.RoutingRecord{Rule: helpdesk.RouteTeamOnly, TeamID: "t1", Reason: ReasonTeamOnly}},
		},
		{
			name:         "contact owner eligible",
			rule:         helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner},
			contactOwner: "owner",
			want: Decision{OwnerID: "owner", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteContactOwner, OwnerID: "owner", Reason: ReasonContactOwner,
				Candidates: []helpdesk.Candidate{cand("owner", true, "", 7)},
			}},
		},
		{
			name:         "contact owner eligible, with team",
			rule:         helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner, TeamID: "t2"},
			contactOwner: "owner",
			want: Decision{OwnerID: "owner", TeamID: "t2", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteContactOwner, OwnerID: "owner", TeamID: "t2", Reason: ReasonContactOwner,
				Candidates: []helpdesk.Candidate{cand("owner", true, "", 7)},
			}},
		},
		{
			name:         "contact owner away: no owner, team kept",
			rule:         helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner, TeamID: "t1"},
			contactOwner: "gone",
			want: Decision{TeamID: "t1", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteContactOwner, TeamID: "t1", Reason: ReasonOwnerNotEligible,
				Candidates: []helpdesk.Candidate{cand("gone", false, SkipAway, 2)},
			}},
		},
		{
			name:         "contact owner without seat, team from TeamIDs",
			rule:         helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner, TeamIDs: []string{"t2"}},
			contactOwner: "d",
			want: Decision{TeamID: "t2", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteContactOwner, TeamID: "t2", Reason: ReasonOwnerNotEligible,
				Candidates: []helpdesk.Candidate{cand("d", false, SkipNoSeat, 0)},
			}},
		},
		{
			name:         "contact owner missing a skill",
			rule:         helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner, Skills: []string{"fr"}},
			contactOwner: "owner",
			want: Decision{Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteContactOwner, Reason: ReasonOwnerNotEligible,
				Candidates: []helpdesk.Candidate{cand("owner", false, "missing_skill:fr", 7)},
			}},
		},
		{
			name:         "contact owner unknown",
			rule:         helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner, TeamID: "t1"},
			contactOwner: "ghost",
			want: Decision{TeamID: "t1", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteContactOwner, TeamID: "t1", Reason: ReasonOwnerNotEligible,
				Candidates: []helpdesk.Candidate{cand("ghost", false, SkipUnknown, 0)},
			}},
		},
		{
			name: "contact has no owner",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner, TeamID: "t1"},
			want: Decision{TeamID: "t1", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteContactOwner, TeamID: "t1", Reason: ReasonNoContactOwner,
			}},
		},
		{
			name:         "contact owner with any availability",
			rule:         helpdesk.RoutingRule{Kind: helpdesk.RouteContactOwner, AnyAvailability: true},
			contactOwner: "gone",
			want: Decision{OwnerID: "gone", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteContactOwner, OwnerID: "gone", Reason: ReasonContactOwner,
				Candidates: []helpdesk.Candidate{cand("gone", true, "", 2)},
			}},
		},
		{
			name: "users and teams: nobody eligible, team kept from TeamID",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin,
				UserIDs: []string{"d", "ghost"}, TeamIDs: []string{"t1"}, TeamID: "t9", Skills: []string{"fr"}},
			agents: agents(ready("a"), away("b"), noSeat("d")),
			want: Decision{TeamID: "t9", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, TeamID: "t9", Reason: ReasonNoEligibleUser,
				Candidates: []helpdesk.Candidate{
					cand("a", false, "missing_skill:fr", 3),
					cand("b", false, "missing_skill:fr", 1),
					cand("d", false, SkipNoSeat, 0),
					cand("ghost", false, SkipUnknown, 0),
				},
			}},
		},
		{
			name:   "users and teams: nobody eligible, single team kept",
			rule:   helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRandom, TeamIDs: []string{"t1"}},
			agents: agents(noSeat("a"), away("b")),
			want: Decision{TeamID: "t1", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRandom, TeamID: "t1", Reason: ReasonNoEligibleUser,
				Candidates: []helpdesk.Candidate{cand("a", false, SkipNoSeat, 3), cand("b", false, SkipAway, 1)},
			}},
		},
		{
			name:   "users and teams: nobody eligible, several teams: no team",
			rule:   helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, TeamIDs: []string{"t1", "t2"}},
			agents: agents(away("a"), away("b"), away("c")),
			want: Decision{Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, Reason: ReasonNoEligibleUser,
				Candidates: []helpdesk.Candidate{cand("a", false, SkipAway, 3), cand("b", false, SkipAway, 1), cand("c", false, SkipAway, 5)},
			}},
		},
		{
			name: "users and teams: no candidates at all",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, TeamID: "t1"},
			want: Decision{TeamID: "t1", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, TeamID: "t1", Reason: ReasonNoEligibleUser,
			}},
		},
		{
			name: "users and teams: unknown users skipped, the known one picked",
			rule: helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: []string{"zed", "c", "ghost"}},
			want: Decision{OwnerID: "c", Record: helpdesk.RoutingRecord{
				Rule: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, OwnerID: "c", Reason: ReasonRoundRobin,
				Candidates: []helpdesk.Candidate{cand("c", true, "", 5), cand("ghost", false, SkipUnknown, 0), cand("zed", false, SkipUnknown, 0)},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			as := tt.agents
			if as == nil {
				as = all
			}
			got := Decide(Input{
				Rule: tt.rule, ContactOwnerID: tt.contactOwner, Agents: as,
				TeamMembers: members, Loads: loads, Now: decideNow, Rand: noRand(t),
			})
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Decide =\n  %+v\nwant\n  %+v", got, tt.want)
			}
		})
	}
}

func TestDecideLoadBalanced(t *testing.T) {
	members := map[string][]string{"t1": {"a", "b", "c"}, "t2": {"d", "e"}}
	tests := []struct {
		name     string
		dist     helpdesk.Distribution
		users    []string
		teams    []string
		agents   map[string]helpdesk.Agent
		loads    map[string]int
		pick     int   // index Rand returns
		wantNs   []int // Rand calls
		want     string
		wantTeam string
	}{
		{
			name: "least loaded wins", dist: helpdesk.DistLoadBalanced, teams: []string{"t1"},
			agents: agents(ready("a"), ready("b"), ready("c")),
			loads:  map[string]int{"a": 4, "b": 2, "c": 3},
			wantNs: []int{1}, want: "b", wantTeam: "t1",
		},
		{
			name: "no load entry is zero", dist: helpdesk.DistLoadBalanced, teams: []string{"t1"},
			agents: agents(ready("a"), ready("b"), ready("c")),
			loads:  map[string]int{"a": 4, "b": 2},
			wantNs: []int{1}, want: "c", wantTeam: "t1",
		},
		{
			name: "ineligible users' lower loads are ignored", dist: helpdesk.DistLoadBalanced, teams: []string{"t1", "t2"},
			agents: agents(away("a"), noSeat("b"), ready("c"), ready("d"), ready("e")),
			loads:  map[string]int{"a": 0, "b": 1, "c": 6, "d": 5, "e": 9},
			wantNs: []int{1}, want: "d", wantTeam: "t2",
		},
		{
			name: "tie broken by Rand among the tied only: first", dist: helpdesk.DistLoadBalanced, teams: []string{"t1", "t2"},
			agents: agents(ready("a"), ready("b"), ready("c"), ready("d"), ready("e")),
			loads:  map[string]int{"a": 2, "b": 1, "c": 9, "d": 1, "e": 1},
			pick:   0, wantNs: []int{3}, want: "b", wantTeam: "t1",
		},
		{
			name: "tie broken by Rand among the tied only: last", dist: helpdesk.DistLoadBalanced, teams: []string{"t1", "t2"},
			agents: agents(ready("a"), ready("b"), ready("c"), ready("d"), ready("e")),
			loads:  map[string]int{"a": 2, "b": 1, "c": 9, "d": 1, "e": 1},
			pick:   2, wantNs: []int{3}, want: "e", wantTeam: "t2",
		},
		{
			name: "tie excludes an ineligible user with the same load", dist: helpdesk.DistLoadBalanced, teams: []string{"t1", "t2"},
			agents: agents(ready("a"), away("b"), ready("c"), ready("d"), ready("e")),
			loads:  map[string]int{"a": 1, "b": 1, "c": 1, "d": 2, "e": 3},
			pick:   1, wantNs: []int{2}, want: "c", wantTeam: "t1",
		},
		{
			name: "tie when a lower load appears later resets", dist: helpdesk.DistLoadBalanced, teams: []string{"t1", "t2"},
			agents: agents(ready("a"), ready("b"), ready("c"), ready("d"), ready("e")),
			loads:  map[string]int{"a": 3, "b": 3, "c": 2, "d": 2, "e": 3},
			pick:   1, wantNs: []int{2}, want: "d", wantTeam: "t2",
		},
		{
			name: "default distribution is load balanced", dist: "", teams: []string{"t1"},
			agents: agents(ready("a"), ready("b"), ready("c")),
			loads:  map[string]int{"a": 4, "b": 2, "c": 3},
			wantNs: []int{1}, want: "b", wantTeam: "t1",
		},
		{
			name: "all zero loads: everyone tied", dist: "", users: []string{"x", "y"},
			agents: agents(ready("x"), ready("y")),
			pick:   1, wantNs: []int{2}, want: "y", wantTeam: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recRand{t: t, pick: tt.pick}
			rule := helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: tt.dist, UserIDs: tt.users, TeamIDs: tt.teams}
			got := Decide(Input{Rule: rule, Agents: tt.agents, TeamMembers: members, Loads: tt.loads, Now: decideNow, Rand: r.rand})
			if got.OwnerID != tt.want || got.TeamID != tt.wantTeam {
				t.Errorf("Decide = owner %q team %q, want %q %q", got.OwnerID, got.TeamID, tt.want, tt.wantTeam)
			}
			if !reflect.DeepEqual(r.ns, tt.wantNs) {
				t.Errorf("Rand called with %v, want %v", r.ns, tt.wantNs)
			}
			rec := got.Record
			if rec.Distribution != helpdesk.DistLoadBalanced || rec.Reason != ReasonFewestOpen ||
				rec.OwnerID != tt.want || rec.TeamID != tt.wantTeam || rec.Rule != helpdesk.RouteUsersTeams {
				t.Errorf("Record = %+v, want load_balanced / %s / owner %q team %q", rec, ReasonFewestOpen, tt.want, tt.wantTeam)
			}
			for _, c := range rec.Candidates {
				if c.Load != tt.loads[c.AgentID] {
					t.Errorf("candidate %s recorded load %d, want %d", c.AgentID, c.Load, tt.loads[c.AgentID])
				}
			}
		})
	}
}

func TestDecideRoundRobin(t *testing.T) {
	members := map[string][]string{"t1": {"c", "a"}, "t2": {"e", "b", "d"}}
	as := agents(ready("a"), ready("b"), ready("c"), away("d"), ready("e"))
	// Eligible in sorted-id order: a b c e (d is away).
	tests := []struct {
		slot int64
		want string
	}{
		{0, "a"}, {1, "b"}, {2, "c"}, {3, "e"}, {4, "a"}, {5, "b"},
		{7, "e"}, {8, "a"}, {1001, "b"}, {1<<62 + 3, "e"},
		{-1, "e"}, {-4, "a"}, {-5, "e"},
	}
	for _, tt := range tests {
		rule := helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, TeamIDs: []string{"t2", "t1"}}
		got := Decide(Input{Rule: rule, Agents: as, TeamMembers: members, Slot: tt.slot, Now: decideNow, Rand: noRand(t)})
		if got.OwnerID != tt.want || got.Record.OwnerID != tt.want {
			t.Errorf("slot %d: owner %q, want %q", tt.slot, got.OwnerID, tt.want)
		}
		if got.Record.Reason != ReasonRoundRobin || got.Record.Distribution != helpdesk.DistRoundRobin {
			t.Errorf("slot %d: record %+v, want %s / %s", tt.slot, got.Record, helpdesk.DistRoundRobin, ReasonRoundRobin)
		}
		if len(got.Record.Candidates) != 5 {
			t.Errorf("slot %d: %d candidates recorded, want 5", tt.slot, len(got.Record.Candidates))
		}
	}

	t.Run("fair over 100 slots with 7 eligible", func(t *testing.T) {
		ids := []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"}
		as := agents(ready("u1"), ready("u2"), away("u3"), ready("u4"), ready("u5"), noSeat("u6"), ready("u7"), ready("u8"), ready("u9"))
		rule := helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: ids}
		count := map[string]int{}
		for slot := int64(0); slot < 100; slot++ {
			got := Decide(Input{Rule: rule, Agents: as, Slot: slot, Now: decideNow, Rand: noRand(t)})
			count[got.OwnerID]++
		}
		if len(count) != 7 {
			t.Fatalf("picked %d distinct users, want 7: %v", len(count), count)
		}
		if count["u3"] != 0 || count["u6"] != 0 {
			t.Errorf("ineligible users picked: %v", count)
		}
		fifteen := 0
		for id, n := range count {
			switch n {
			case 15:
				fifteen++
			case 14:
			default:
				t.Errorf("%s picked %d times, want 14 or 15", id, n)
			}
		}
		// 100 = 7*14 + 2: the first two in sorted order get the extra one.
		if fifteen != 2 || count["u1"] != 15 || count["u2"] != 15 {
			t.Errorf("counts %v, want u1 and u2 at 15, the rest at 14", count)
		}
	})
}

func TestDecideRandom(t *testing.T) {
	as := agents(ready("a"), away("b"), ready("c"), ready("d"))
	rule := helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRandom, UserIDs: []string{"d", "c", "b", "a"}}
	loads := map[string]int{"a": 9, "c": 0, "d": 5}
	for i, want := range []string{"a", "c", "d"} {
		r := &recRand{t: t, pick: i}
		got := Decide(Input{Rule: rule, Agents: as, Loads: loads, Now: decideNow, Rand: r.rand})
		if got.OwnerID != want {
			t.Errorf("Rand → %d: owner %q, want %q", i, got.OwnerID, want)
		}
		if !reflect.DeepEqual(r.ns, []int{3}) {
			t.Errorf("Rand called with %v, want [3]", r.ns)
		}
		if got.Record.Reason != ReasonRandom || got.Record.Distribution != helpdesk.DistRandom {
			t.Errorf("record %+v, want %s / %s", got.Record, helpdesk.DistRandom, ReasonRandom)
		}
	}
}

func TestDecideTeamOfPick(t *testing.T) {
	members := map[string][]string{"t1": {"a", "b"}, "t2": {"b", "c"}, "t3": {"c"}}
	as := agents(ready("a"), ready("b"), ready("c"), ready("solo"))
	tests := []struct {
		name   string
		rule   helpdesk.RoutingRule
		slot   int64 // round robin over the sorted candidates
		owner  string
		team   string
		record string
	}{
		{"only in the first team", helpdesk.RoutingRule{TeamIDs: []string{"t1", "t2"}}, 0, "a", "t1", "t1"},
		{"in both: first of the rule's teams (t1)", helpdesk.RoutingRule{TeamIDs: []string{"t1", "t2"}}, 1, "b", "t1", "t1"},
		{"in both: first of the rule's teams (t2)", helpdesk.RoutingRule{TeamIDs: []string{"t2", "t1"}}, 1, "b", "t2", "t2"},
		{"only in the second team", helpdesk.RoutingRule{TeamIDs: []string{"t1", "t2"}}, 2, "c", "t2", "t2"},
		{"c in t2 and t3, rule order t3 first", helpdesk.RoutingRule{TeamIDs: []string{"t3", "t2"}}, 1, "c", "t3", "t3"},
		{"team the rule does not select is not used", helpdesk.RoutingRule{UserIDs: []string{"a"}, TeamIDs: []string{"t2", "t3"}}, 0, "a", "", ""},
		{"directly selected user in no team", helpdesk.RoutingRule{UserIDs: []string{"solo"}, TeamIDs: []string{"t1", "t3"}}, 3, "solo", "", ""},
		{"users only: no team", helpdesk.RoutingRule{UserIDs: []string{"a", "solo"}}, 0, "a", "", ""},
		{"rule.TeamID wins", helpdesk.RoutingRule{TeamID: "t9", TeamIDs: []string{"t1", "t2"}}, 2, "c", "t9", "t9"},
		{"single team wins even for a direct user", helpdesk.RoutingRule{UserIDs: []string{"solo"}, TeamIDs: []string{"t3"}}, 1, "solo", "t3", "t3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule := tt.rule
			rule.Kind, rule.Distribution = helpdesk.RouteUsersTeams, helpdesk.DistRoundRobin
			got := Decide(Input{Rule: rule, Agents: as, TeamMembers: members, Slot: tt.slot, Now: decideNow, Rand: noRand(t)})
			if got.OwnerID != tt.owner || got.TeamID != tt.team || got.Record.TeamID != tt.record {
				t.Errorf("Decide = owner %q team %q (record %q), want %q %q (%q)", got.OwnerID, got.TeamID, got.Record.TeamID, tt.owner, tt.team, tt.record)
			}
		})
	}
}

func TestDecideUsesNowForAvailability(t *testing.T) {
	// Paris 09:00–17:00 on weekdays; 2026-03-30 is a Monday in CEST (UTC+2).
	p := scheduled("Europe/Paris", weekdays("09:00", "17:00")...)
	p.ID = "p"
	rule := helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: []string{"p"}}
	for _, tt := range []struct {
		now   time.Time
		owner string
		skip  string
	}{
		{utc(2026, time.March, 30, 6, 59), "", SkipOutsideHours},
		{utc(2026, time.March, 30, 7, 0), "p", ""},
	} {
		got := Decide(Input{Rule: rule, Agents: agents(p), Now: tt.now, Rand: noRand(t)})
		if got.OwnerID != tt.owner || len(got.Record.Candidates) != 1 || got.Record.Candidates[0].Skipped != tt.skip {
			t.Errorf("at %s: %+v, want owner %q skip %q", tt.now.Format(time.RFC3339), got, tt.owner, tt.skip)
		}
	}
}
