package helpdesk

import "testing"

// Who sees which ticket: every role and scope against tickets owned by
// them, by a teammate, by another team, and unassigned in their team.
func TestPrincipalCanSee(t *testing.T) {
	mine := Ticket{ID: "1", OwnerID: "me", TeamID: "a"}
	mate := Ticket{ID: "2", OwnerID: "mate", TeamID: "a"}
	teamQueue := Ticket{ID: "3", TeamID: "a"}
	other := Ticket{ID: "4", OwnerID: "them", TeamID: "b"}
	loose := Ticket{ID: "5"} // no owner, no team
	tickets := []Ticket{mine, mate, teamQueue, other, loose}
	who := func(role Role, scope Scope) Principal {
		return Principal{Agent: Agent{ID: "me", Active: true, Role: role, Permissions: Permissions{Scope: scope}}, Teams: []string{"a"}}
	}
	tests := []struct {
		name string
		p    Principal
		want []bool // per ticket above
	}{
		{"admin sees all, whatever the scope", who(RoleAdmin, ScopeOwn), []bool{true, true, true, true, true}},
		{"agent, all", who(RoleAgent, ScopeAll), []bool{true, true, true, true, true}},
		{"agent, teams", who(RoleAgent, ScopeTeams), []bool{true, true, true, false, false}},
		{"agent, own", who(RoleAgent, ScopeOwn), []bool{true, false, false, false, false}},
		{"agent, no scope set: own", who(RoleAgent, ""), []bool{true, false, false, false, false}},
		{"viewer, teams", who(RoleViewer, ScopeTeams), []bool{true, true, true, false, false}},
		{"deactivated admin sees nothing", Principal{Agent: Agent{ID: "me", Role: RoleAdmin}}, []bool{false, false, false, false, false}},
	}
	for _, tt := range tests {
		for i, tk := range tickets {
			if got := tt.p.CanSee(tk); got != tt.want[i] {
				t.Errorf("%s: ticket %s (owner %q, team %q): CanSee = %v, want %v", tt.name, tk.ID, tk.OwnerID, tk.TeamID, got, tt.want[i])
			}
		}
	}
}

func TestPrincipalPermissions(t *testing.T) {
	admin := Principal{Agent: Agent{Active: true, Role: RoleAdmin}}
	agent := Principal{Agent: Agent{Active: true, Role: RoleAgent}}
	trusted := Principal{Agent: Agent{Active: true, Role: RoleAgent, Permissions: Permissions{DeleteTickets: true, ManageSettings: true}}}
	gone := Principal{Agent: Agent{Role: RoleAdmin}}
	for _, c := range []struct {
		name             string
		p                Principal
		settings, delete bool
	}{
		{"admin", admin, true, true},
		{"agent", agent, false, false},
		{"agent with both permissions", trusted, true, true},
		{"deactivated admin", gone, false, false},
	} {
		if c.p.CanManageSettings() != c.settings || c.p.CanDeleteTickets() != c.delete {
			t.Errorf("%s: settings %v delete %v, want %v %v", c.name, c.p.CanManageSettings(), c.p.CanDeleteTickets(), c.settings, c.delete)
		}
	}
}
