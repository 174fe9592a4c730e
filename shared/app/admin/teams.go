package admin

import (
	"context"
	"slices"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MaxTeamMembers bounds a team (its item lists them).
const MaxTeamMembers = 500

// TeamRequest creates a team; ID is optional (a new id when absent).
type TeamRequest struct {
	ID        *string  `json:"id"`
	Name      string   `json:"name"`
	MemberIDs []string `json:"member_ids"`
}

// TeamPatch changes a team; an absent field is left as it is.
type TeamPatch struct {
	Name      *string   `json:"name"`
	MemberIDs *[]string `json:"member_ids"`
}

// Team reads a team.
func (s *Service) Team(ctx context.Context, id string) (helpdesk.Team, error) {
	t, err := s.Store.GetTeam(ctx, id)
	if helpdesk.IsCode(err, helpdesk.ENotFound) {
		return t, helpdesk.Errorf(helpdesk.ENotFound, "team_not_found", "no team %q", truncate(id))
	}
	return t, err
}

// CreateTeam creates a team with its members; an id taken is a 409.
func (s *Service) CreateTeam(ctx context.Context, actor string, req TeamRequest) (helpdesk.Team, error) {
	t := helpdesk.Team{ID: s.newID(), CreatedAt: s.Now().UTC(), Version: 1}
	if req.ID != nil {
		t.ID = *req.ID
	}
	if !validID(t.ID) {
		return t, helpdesk.Errorf(helpdesk.EInvalid, "invalid_id", "id: 1 to %d letters, digits, '-' or '_'", MaxName)
	}
	name := req.Name
	members := slices.Clone(req.MemberIDs)
	t, err := s.applyTeam(ctx, t, TeamPatch{Name: &name, MemberIDs: &members})
	if err != nil {
		return t, err
	}
	e, err := s.entry(actor, helpdesk.AuditTeam, t.ID, nil, t)
	if err != nil {
		return t, err
	}
	err = s.Store.CommitAdmin(ctx, helpdesk.AdminChange{Teams: []helpdesk.Write[helpdesk.Team]{{After: &t}}, Audit: []helpdesk.AuditEntry{e}})
	if helpdesk.ErrorReason(err) == "exists" {
		return t, helpdesk.Errorf(helpdesk.EConflict, "team_exists", "id: team %q exists", t.ID)
	}
	return t, err
}

// UpdateTeam renames a team or sets its members.
func (s *Service) UpdateTeam(ctx context.Context, actor, id string, p TeamPatch, ifMatch *int64) (helpdesk.Team, error) {
	return edit(ctx, ifMatch, func() (helpdesk.Team, int64, error) {
		t, err := s.Team(ctx, id)
		return t, t.Version, err
	}, func(before helpdesk.Team) (helpdesk.Team, helpdesk.AdminChange, error) {
		after, err := s.applyTeam(ctx, before, p)
		if err != nil || same(before, after) {
			return before, helpdesk.AdminChange{}, err
		}
		after.Version = before.Version + 1
		e, err := s.entry(actor, helpdesk.AuditTeam, id, before, after)
		return after, helpdesk.AdminChange{Teams: []helpdesk.Write[helpdesk.Team]{{Before: &before, After: &after}},
			Audit: []helpdesk.AuditEntry{e}}, err
	}, s.Store.CommitAdmin)
}

// DeleteTeam removes a team no channel routes to. Its tickets keep their
// team id (a ticket's history is not rewritten).
func (s *Service) DeleteTeam(ctx context.Context, actor, id string, ifMatch *int64) error {
	channels, err := s.Store.ListChannels(ctx)
	if err != nil {
		return err
	}
	for _, c := range channels {
		if c.Routing.TeamID == id || slices.Contains(c.Routing.TeamIDs, id) {
			return helpdesk.Errorf(helpdesk.EConflict, "team_in_use", "channel %q routes to this team; change its routing first", c.ID)
		}
	}
	_, err = edit(ctx, ifMatch, func() (helpdesk.Team, int64, error) {
		t, err := s.Team(ctx, id)
		return t, t.Version, err
	}, func(before helpdesk.Team) (helpdesk.Team, helpdesk.AdminChange, error) {
		e, err := s.entry(actor, helpdesk.AuditTeam, id, before, nil)
		return before, helpdesk.AdminChange{Teams: []helpdesk.Write[helpdesk.Team]{{Before: &before}}, Audit: []helpdesk.AuditEntry{e}}, err
	}, s.Store.CommitAdmin)
	return err
}

func (s *Service) applyTeam(ctx context.Context, t helpdesk.Team, p TeamPatch) (helpdesk.Team, error) {
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" {
			return t, helpdesk.Errorf(helpdesk.EInvalid, "name_required", "name: a team needs a name")
		}
		if err := bounded("name", name); err != nil {
			return t, err
		}
		t.Name = name
	}
	if p.MemberIDs != nil {
		members := *p.MemberIDs
		if len(members) > MaxTeamMembers {
			return t, helpdesk.Errorf(helpdesk.EInvalid, "too_many_members", "member_ids: at most %d", MaxTeamMembers)
		}
		if len(members) > 0 {
			agents, err := s.Store.ListAgents(ctx)
			if err != nil {
				return t, err
			}
			for i, m := range members {
				if !slices.ContainsFunc(agents, func(a helpdesk.Agent) bool { return a.ID == m }) {
					return t, helpdesk.Errorf(helpdesk.EInvalid, "unknown_user", "member_ids: no user %q", truncate(m))
				}
				if slices.Contains(members[:i], m) {
					return t, helpdesk.Errorf(helpdesk.EInvalid, "duplicate_member", "member_ids: %q is listed twice", truncate(m))
				}
			}
		}
		t.MemberIDs = slices.Clone(members)
		if len(t.MemberIDs) == 0 {
			t.MemberIDs = nil
		}
	}
	return t, nil
}

// validID reports whether id can name a team: short, URL-safe.
func validID(id string) bool {
	if id == "" || len(id) > MaxName {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
