package helpdesk

import "slices"

// Role is what a user of the desk is (seed 000): an admin runs the desk, an
// agent works tickets and can be routed to (holds a seat), a viewer reads
// and comments but is never routed to.
type Role string

const (
	RoleAdmin  Role = "admin"
	RoleAgent  Role = "agent"
	RoleViewer Role = "viewer"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r == RoleAdmin || r == RoleAgent || r == RoleViewer }

// Scope is which tickets a user may see and change.
type Scope string

const (
	ScopeAll   Scope = "all"   // every ticket
	ScopeTeams Scope = "teams" // the tickets of their teams, and their own
	ScopeOwn   Scope = "own"   // only the tickets they own
)

// Valid reports whether s is a known scope.
func (s Scope) Valid() bool { return s == ScopeAll || s == ScopeTeams || s == ScopeOwn }

// Permissions are what a user may do beyond working the tickets they see.
type Permissions struct {
	// Scope limits the tickets they see; empty means their own only.
	Scope Scope `dynamodbav:"scope,omitempty" json:"scope,omitempty"`
	// DeleteTickets lets them mark spam and delete.
	DeleteTickets bool `dynamodbav:"deleteTickets,omitempty" json:"delete_tickets,omitempty"`
	// ManageSettings lets them change channels, users, teams and pipelines.
	ManageSettings bool `dynamodbav:"manageSettings,omitempty" json:"manage_settings,omitempty"`
}

// Principal is a signed-in user with the teams they belong to: what access
// is decided on.
type Principal struct {
	Agent Agent
	Teams []string
}

// Scope is the principal's ticket scope: admins see every ticket, anyone
// else what their permissions say (their own by default).
func (p Principal) Scope() Scope {
	if p.Agent.Role == RoleAdmin {
		return ScopeAll
	}
	if p.Agent.Permissions.Scope.Valid() {
		return p.Agent.Permissions.Scope
	}
	return ScopeOwn
}

// CanSee reports whether the principal may see (and so work) ticket t. A
// ticket they cannot see does not exist for them: callers answer 404, and
// leave it out of every list, count, search and notification.
func (p Principal) CanSee(t Ticket) bool {
	if !p.Agent.Active {
		return false
	}
	switch p.Scope() {
	case ScopeAll:
		return true
	case ScopeTeams:
		return t.OwnerID == p.Agent.ID || t.TeamID != "" && slices.Contains(p.Teams, t.TeamID)
	default:
		return t.OwnerID == p.Agent.ID
	}
}

// CanWork reports whether the principal may change tickets and contacts:
// answer, edit, assign, create. A viewer reads and comments (notes, follows,
// read marks), nothing more.
func (p Principal) CanWork() bool { return p.Agent.Active && p.Agent.Role != RoleViewer }

// CanManageSettings reports whether the principal may change the desk's settings.
func (p Principal) CanManageSettings() bool {
	return p.Agent.Active && (p.Agent.Role == RoleAdmin || p.Agent.Permissions.ManageSettings)
}

// CanDeleteTickets reports whether the principal may mark spam and delete.
func (p Principal) CanDeleteTickets() bool {
	return p.Agent.Active && (p.Agent.Role == RoleAdmin || p.Agent.Permissions.DeleteTickets)
}
