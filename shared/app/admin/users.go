package admin

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // time zones are checked against the IANA database, which Lambda's image may lack

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Bounds of a user's settings.
const (
	MaxEmail       = 254
	MaxUserTeams   = 50
	MaxHours       = 50
	MaxOutOfOffice = 50
)

// User is an agent record with the teams they belong to (membership is
// kept on the teams). The user-pool identity never serialises.
type User struct {
	helpdesk.Agent
	TeamIDs []string `json:"team_ids"`
}

func userOf(a helpdesk.Agent, teams []helpdesk.Team) User {
	u := User{Agent: a, TeamIDs: []string{}}
	for _, t := range teams {
		if slices.Contains(t.MemberIDs, a.ID) {
			u.TeamIDs = append(u.TeamIDs, t.ID)
		}
	}
	return u
}

// Users lists every user, by name, with their teams.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	agents, err := s.Store.ListAgents(ctx)
	if err != nil {
		return nil, err
	}
	teams, err := s.Store.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]User, 0, len(agents))
	for _, a := range agents {
		out = append(out, userOf(a, teams))
	}
	return out, nil
}

// User reads one user with their teams.
func (s *Service) User(ctx context.Context, id string) (User, error) {
	a, err := s.Store.GetAgent(ctx, id)
	if helpdesk.IsCode(err, helpdesk.ENotFound) {
		return User{}, errNoUser(id)
	}
	if err != nil {
		return User{}, err
	}
	teams, err := s.Store.ListTeams(ctx)
	if err != nil {
		return User{}, err
	}
	return userOf(a, teams), nil
}

func errNoUser(id string) error {
	return helpdesk.Errorf(helpdesk.ENotFound, "user_not_found", "no user %q", truncate(id))
}

// InviteRequest invites a user: the pool sends them a temporary password.
type InviteRequest struct {
	Email       string                `json:"email"`
	Name        string                `json:"name"`
	Role        helpdesk.Role         `json:"role"`
	Seat        *bool                 `json:"seat"`
	Permissions *helpdesk.Permissions `json:"permissions"`
	TeamIDs     []string              `json:"team_ids"`
	TimeZone    string                `json:"time_zone"`
}

// Invite creates the user in the pool (which sends the invitation) and
// their agent record, joined to their teams, with the audit entries, in one
// transaction. An email the desk already has is a 409. A pool user without
// an agent record (an invitation that failed half-way) is taken up again.
func (s *Service) Invite(ctx context.Context, by helpdesk.Principal, req InviteRequest) (User, error) {
	actor := by.Agent.ID
	invalid := func(reason, format string, args ...any) error {
		return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > MaxEmail {
		return User{}, invalid("invalid_email", "email: %q is not an email address", truncate(req.Email))
	}
	name := strings.TrimSpace(req.Name)
	switch {
	case name == "":
		return User{}, invalid("name_required", "name: a user needs a name")
	case !req.Role.Valid():
		return User{}, invalid("invalid_role", "role: %q is not admin, agent or viewer", truncate(string(req.Role)))
	}
	if err := bounded("name", name); err != nil {
		return User{}, err
	}
	a := helpdesk.Agent{ID: s.newID(), Email: email, Name: name, Role: req.Role, Active: true, Seat: req.Role != helpdesk.RoleViewer,
		TimeZone: req.TimeZone, Availability: helpdesk.Availability{Mode: helpdesk.AvailabilityManual}, CreatedAt: s.Now().UTC(), Version: 1}
	if req.Seat != nil {
		a.Seat = *req.Seat
	}
	if req.Permissions != nil {
		a.Permissions = *req.Permissions
	}
	if err := checkAgent(a); err != nil {
		return User{}, err
	}
	if err := grantable(by, helpdesk.Agent{}, a); err != nil {
		return User{}, err
	}
	if len(req.TeamIDs) > MaxUserTeams {
		return User{}, invalid("too_many_teams", "team_ids: at most %d", MaxUserTeams)
	}
	agents, err := s.Store.ListAgents(ctx)
	if err != nil {
		return User{}, err
	}
	if slices.ContainsFunc(agents, func(o helpdesk.Agent) bool { return strings.EqualFold(o.Email, email) }) {
		return User{}, helpdesk.Errorf(helpdesk.EConflict, "user_exists", "email: the desk already has a user %s", email)
	}
	teams, err := s.Store.ListTeams(ctx)
	if err != nil {
		return User{}, err
	}
	change, err := s.membership(actor, a.ID, req.TeamIDs, teams)
	if err != nil {
		return User{}, err
	}
	sub, err := s.Directory.Invite(ctx, email)
	if err != nil && !errors.Is(err, ErrUserExists) {
		return User{}, fmt.Errorf("invite %s: %w", email, err)
	}
	a.Sub = sub
	u := userOf(a, applyTeams(teams, change.Teams))
	e, err := s.entry(actor, helpdesk.AuditUser, a.ID, nil, u)
	if err != nil {
		return User{}, err
	}
	change.Agents = []helpdesk.Write[helpdesk.Agent]{{After: &a}}
	change.Audit = append([]helpdesk.AuditEntry{e}, change.Audit...)
	if err := s.Store.CommitAdmin(ctx, change); err != nil {
		if lost(err) {
			return User{}, helpdesk.Errorf(helpdesk.EConflict, "teams_changed", "a team changed meanwhile; invite again")
		}
		return User{}, err
	}
	return u, nil
}

// UserPatch changes a user; an absent field is left as it is.
type UserPatch struct {
	Name         *string               `json:"name"`
	Role         *helpdesk.Role        `json:"role"`
	Seat         *bool                 `json:"seat"`
	Active       *bool                 `json:"active"`
	Permissions  *helpdesk.Permissions `json:"permissions"`
	Skills       *[]string             `json:"skills"`
	TeamIDs      *[]string             `json:"team_ids"`
	TimeZone     *string               `json:"time_zone"`
	Availability *AvailabilityPatch    `json:"availability"`
	Notify       *helpdesk.NotifyPrefs `json:"notify"`
}

// AvailabilityPatch changes how a user's availability is decided: the
// mode, their weekly working hours, their out-of-office periods.
type AvailabilityPatch struct {
	Mode        *helpdesk.AvailabilityMode `json:"mode"`
	Hours       *[]HoursInput              `json:"hours"`
	OutOfOffice *[]PeriodInput             `json:"out_of_office"`
}

// HoursInput is one weekly interval as sent: every field required (a
// missing day must not read as Sunday).
type HoursInput struct {
	Day   *time.Weekday `json:"day"`
	Start *string       `json:"start"`
	End   *string       `json:"end"`
}

// PeriodInput is an out-of-office period as sent: both ends required.
type PeriodInput struct {
	From *time.Time `json:"from"`
	To   *time.Time `json:"to"`
}

// hours turns the intervals sent into working hours, refusing a missing field.
func hours(in []HoursInput) ([]helpdesk.WorkingHours, error) {
	var out []helpdesk.WorkingHours
	for i, h := range in {
		if h.Day == nil || h.Start == nil || h.End == nil {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "field_required", "availability.hours[%d]: day, start and end are required", i)
		}
		out = append(out, helpdesk.WorkingHours{Day: *h.Day, Start: *h.Start, End: *h.End})
	}
	return out, nil
}

// periods turns the periods sent into out-of-office periods, refusing a missing end.
func periods(in []PeriodInput) ([]helpdesk.Period, error) {
	var out []helpdesk.Period
	for i, p := range in {
		if p.From == nil || p.To == nil {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "field_required", "availability.out_of_office[%d]: from and to are required", i)
		}
		out = append(out, helpdesk.Period{From: p.From.UTC(), To: p.To.UTC()})
	}
	return out, nil
}

// UpdateUser changes a user (and the teams they join or leave) in one
// transaction. Deactivating refuses them at once (the API checks Active on
// every request) and disables their pool user; reactivating enables it
// first. Nobody changes their own role, permissions or activity.
func (s *Service) UpdateUser(ctx context.Context, by helpdesk.Principal, id string, p UserPatch, ifMatch *int64) (User, error) {
	actor := by.Agent.ID
	if actor == id && (p.Role != nil || p.Permissions != nil || p.Active != nil) {
		return User{}, helpdesk.Errorf(helpdesk.EForbidden, "own_access", "you cannot change your own role, permissions or activity; ask another admin")
	}
	if p.TeamIDs != nil && len(*p.TeamIDs) > MaxUserTeams {
		return User{}, helpdesk.Errorf(helpdesk.EInvalid, "too_many_teams", "team_ids: at most %d", MaxUserTeams)
	}
	if p.Active != nil && *p.Active {
		// Enable sign-in first: if the record's write then fails, the
		// user is still refused by the desk.
		cur, err := s.User(ctx, id)
		if err != nil {
			return User{}, err
		}
		if err := s.Directory.Enable(ctx, cur.Email); err != nil {
			return User{}, fmt.Errorf("enable %s: %w", id, err)
		}
	}
	var teams []helpdesk.Team
	u, err := edit(ctx, ifMatch, func() (helpdesk.Agent, int64, error) {
		a, err := s.Store.GetAgent(ctx, id)
		if helpdesk.IsCode(err, helpdesk.ENotFound) {
			return a, 0, errNoUser(id)
		}
		if err == nil {
			teams, err = s.Store.ListTeams(ctx)
		}
		return a, a.Version, err
	}, func(before helpdesk.Agent) (helpdesk.Agent, helpdesk.AdminChange, error) {
		after, err := applyUser(before, p)
		if err != nil {
			return before, helpdesk.AdminChange{}, err
		}
		if err := grantable(by, before, after); err != nil {
			return before, helpdesk.AdminChange{}, err
		}
		var change helpdesk.AdminChange
		if p.TeamIDs != nil {
			if change, err = s.membership(actor, id, *p.TeamIDs, teams); err != nil {
				return before, helpdesk.AdminChange{}, err
			}
		}
		ub, ua := userOf(before, teams), userOf(after, applyTeams(teams, change.Teams))
		if same(ub, ua) {
			return before, helpdesk.AdminChange{}, nil
		}
		after.Version = before.Version + 1
		ua.Version = after.Version
		e, err := s.entry(actor, helpdesk.AuditUser, id, ub, ua)
		change.Agents = []helpdesk.Write[helpdesk.Agent]{{Before: &before, After: &after}}
		change.Audit = append([]helpdesk.AuditEntry{e}, change.Audit...)
		return after, change, err
	}, s.Store.CommitAdmin)
	if err != nil {
		return User{}, err
	}
	if !u.Active {
		// Refused by the desk already; now the pool stops issuing tokens.
		if err := s.Directory.Disable(ctx, u.Email); err != nil {
			return User{}, fmt.Errorf("disable %s (deactivated in the desk): %w", id, err)
		}
	}
	return s.User(ctx, id)
}

// grantable refuses a user who manages settings without being an admin
// making anyone an admin, changing an admin, or granting permissions (so
// the permission cannot be turned into more than it is).
func grantable(by helpdesk.Principal, before, after helpdesk.Agent) error {
	if by.Agent.Role == helpdesk.RoleAdmin {
		return nil
	}
	if before.Role == helpdesk.RoleAdmin || after.Role == helpdesk.RoleAdmin || after.Permissions != before.Permissions {
		return helpdesk.Errorf(helpdesk.EForbidden, "admin_only", "only admins make admins, change them, or grant permissions")
	}
	return nil
}

// applyUser applies a patch to an agent record, judging each field.
func applyUser(a helpdesk.Agent, p UserPatch) (helpdesk.Agent, error) {
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" {
			return a, helpdesk.Errorf(helpdesk.EInvalid, "name_required", "name: a user needs a name")
		}
		a.Name = name
	}
	if p.Role != nil {
		a.Role = *p.Role
	}
	if p.Seat != nil {
		a.Seat = *p.Seat
	}
	if p.Active != nil {
		a.Active = *p.Active
	}
	if p.Permissions != nil {
		a.Permissions = *p.Permissions
	}
	if p.Skills != nil {
		a.Skills = slices.Clone(*p.Skills)
	}
	if p.TimeZone != nil {
		a.TimeZone = *p.TimeZone
	}
	if v := p.Availability; v != nil {
		if v.Mode != nil {
			if *v.Mode == "" {
				return a, helpdesk.Errorf(helpdesk.EInvalid, "invalid_availability_mode", "availability.mode: manual or schedule")
			}
			a.Availability.Mode = *v.Mode
		}
		if v.Hours != nil {
			hs, err := hours(*v.Hours)
			if err != nil {
				return a, err
			}
			a.Availability.Hours = hs
		}
		if v.OutOfOffice != nil {
			ps, err := periods(*v.OutOfOffice)
			if err != nil {
				return a, err
			}
			a.Availability.OutOfOffice = ps
		}
	}
	if p.Notify != nil {
		a.Notify = *p.Notify
	}
	return a, checkAgent(a)
}

// checkAgent judges an agent record, naming the field at fault.
func checkAgent(a helpdesk.Agent) error {
	invalid := func(reason, format string, args ...any) error {
		return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
	}
	if err := bounded("name", a.Name); err != nil {
		return err
	}
	switch {
	case !a.Role.Valid():
		return invalid("invalid_role", "role: %q is not admin, agent or viewer", truncate(string(a.Role)))
	case a.Role == helpdesk.RoleViewer && a.Seat:
		return invalid("viewer_cannot_hold_seat", "seat: the viewer role holds no seat (viewers are never routed to); set seat false with it")
	case a.Permissions.Scope != "" && !a.Permissions.Scope.Valid():
		return invalid("invalid_scope", "permissions.scope: %q is not all, teams or own", truncate(string(a.Permissions.Scope)))
	}
	if err := checkSkills("skills", a.Skills); err != nil {
		return err
	}
	if a.TimeZone != "" {
		if len(a.TimeZone) > MaxName || a.TimeZone == "Local" {
			return invalid("unknown_time_zone", "time_zone: %q is not an IANA time zone", truncate(a.TimeZone))
		}
		if _, err := time.LoadLocation(a.TimeZone); err != nil {
			return invalid("unknown_time_zone", "time_zone: %q is not an IANA time zone (e.g. Europe/Paris)", truncate(a.TimeZone))
		}
	}
	av := a.Availability
	switch av.Mode {
	case "", helpdesk.AvailabilityManual, helpdesk.AvailabilitySchedule:
	default:
		return invalid("invalid_availability_mode", "availability.mode: %q is not manual or schedule", truncate(string(av.Mode)))
	}
	if len(av.Hours) > MaxHours {
		return invalid("too_many_hours", "availability.hours: at most %d intervals", MaxHours)
	}
	for i, h := range av.Hours {
		field := "availability.hours[" + strconv.Itoa(i) + "]"
		start, ok1 := clock(h.Start, false)
		end, ok2 := clock(h.End, true)
		switch {
		case h.Day < time.Sunday || h.Day > time.Saturday:
			return invalid("invalid_day", "%s.day: 0 (Sunday) to 6 (Saturday)", field)
		case !ok1:
			return invalid("invalid_time", "%s.start: %q is not HH:MM (00:00 to 23:59)", field, truncate(h.Start))
		case !ok2:
			return invalid("invalid_time", "%s.end: %q is not HH:MM (00:00 to 24:00)", field, truncate(h.End))
		case start == end:
			return invalid("empty_interval", "%s: starts and ends at %s", field, h.Start)
		}
	}
	if len(av.OutOfOffice) > MaxOutOfOffice {
		return invalid("too_many_periods", "availability.out_of_office: at most %d periods", MaxOutOfOffice)
	}
	for i, o := range av.OutOfOffice {
		if !o.To.After(o.From) {
			return invalid("invalid_period", "availability.out_of_office[%d]: to must be after from", i)
		}
	}
	return nil
}

// clock parses "HH:MM" into minutes of the day; "24:00" only as an end.
func clock(s string, end bool) (int, bool) {
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	h, err1 := strconv.Atoi(s[:2])
	m, err2 := strconv.Atoi(s[3:])
	switch {
	case err1 != nil || err2 != nil || s[0] == '+' || s[3] == '+' || s[0] == '-' || s[3] == '-':
		return 0, false
	case end && h == 24 && m == 0:
		return 24 * 60, true
	case h < 0 || h > 23 || m < 0 || m > 59:
		return 0, false
	}
	return h*60 + m, true
}

// membership decides the team writes that make user id a member of
// exactly want, from the teams as read: each team
// joined or left is written at the version read, with its audit entry.
func (s *Service) membership(actor, id string, want []string, teams []helpdesk.Team) (helpdesk.AdminChange, error) {
	var c helpdesk.AdminChange
	for _, w := range want {
		if !slices.ContainsFunc(teams, func(t helpdesk.Team) bool { return t.ID == w }) {
			return c, helpdesk.Errorf(helpdesk.EInvalid, "unknown_team", "team_ids: no team %q", truncate(w))
		}
	}
	for _, t := range teams {
		member, wanted := slices.Contains(t.MemberIDs, id), slices.Contains(want, t.ID)
		if member == wanted {
			continue
		}
		before, after := t, t
		if wanted {
			after.MemberIDs = append(slices.Clone(t.MemberIDs), id)
		} else {
			after.MemberIDs = slices.DeleteFunc(slices.Clone(t.MemberIDs), func(m string) bool { return m == id })
		}
		after.Version = before.Version + 1
		e, err := s.entry(actor, helpdesk.AuditTeam, t.ID, before, after)
		if err != nil {
			return c, err
		}
		c.Teams = append(c.Teams, helpdesk.Write[helpdesk.Team]{Before: &before, After: &after})
		c.Audit = append(c.Audit, e)
	}
	return c, nil
}

// applyTeams is teams with the writes applied.
func applyTeams(teams []helpdesk.Team, ws []helpdesk.Write[helpdesk.Team]) []helpdesk.Team {
	out := slices.Clone(teams)
	for _, w := range ws {
		for i := range out {
			if w.After != nil && out[i].ID == w.After.ID {
				out[i] = *w.After
			}
		}
	}
	return out
}
