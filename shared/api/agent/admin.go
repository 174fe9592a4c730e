package agent

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/admin"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file serves the admin settings: pipelines, categories and defaults,
// channels, users and teams, and the audit trail of their changes. Every
// signed-in user reads what the console needs (teams, users, pipelines,
// categories, channels; never a secret or a user-pool identity); only
// admins and users allowed to manage settings change them (others get
// 403: settings are not tickets, their existence is no secret), and only
// they read the audit trail.

// AuditStore reads the audit trail.
type AuditStore interface {
	ListAudit(ctx context.Context, after string, limit int32) ([]helpdesk.AuditEntry, string, error)
}

// maxEntityID bounds the id in a settings path (a channel's id holds an
// email address); a longer one is a 404, like a missing item.
const maxEntityID = 300

// adminRoutes are the settings routes (appended to Routes).
func (a *API) adminRoutes() []Route {
	return []Route{
		{"GET /api/settings", a.signedIn(a.getSettings)},
		{"PUT /api/settings", a.signedIn(a.settingsAdmin(a.putSettings))},
		{"GET /api/channels", a.signedIn(a.listChannels)},
		{"GET /api/channels/{id}", a.signedIn(getItem("channel", a.Admin.GetChannel, channelVersion))},
		{"PATCH /api/channels/{id}", a.signedIn(a.settingsAdmin(patchItem("channel", a.updateChannel, channelVersion)))},
		{"GET /api/users", a.signedIn(a.listUsers)},
		{"POST /api/users", a.signedIn(a.settingsAdmin(a.inviteUser))},
		{"GET /api/users/{id}", a.signedIn(getItem("user", a.Admin.User, userVersion))},
		{"PATCH /api/users/{id}", a.signedIn(a.settingsAdmin(patchItem("user", a.Admin.UpdateUser, userVersion)))},
		{"GET /api/teams", a.signedIn(a.listTeams)},
		{"POST /api/teams", a.signedIn(a.settingsAdmin(a.createTeam))},
		{"GET /api/teams/{id}", a.signedIn(getItem("team", a.Admin.Team, teamVersion))},
		{"PATCH /api/teams/{id}", a.signedIn(a.settingsAdmin(patchItem("team", a.updateTeam, teamVersion)))},
		{"DELETE /api/teams/{id}", a.signedIn(a.settingsAdmin(a.deleteTeam))},
		{"GET /api/audit", a.signedIn(a.settingsAdmin(a.listAudit))},
	}
}

// settingsAdmin lets only those who may manage settings through.
func (a *API) settingsAdmin(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
		if err := admin.Forbidden(p); err != nil {
			return err
		}
		return h(w, r, p)
	}
}

// versionTag is an item's entity tag: its version.
func versionTag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// versionIfMatch reads the version an If-Match names (nil when absent):
// a quoted number, "0" for an item never changed here.
func versionIfMatch(r *http.Request) (*int64, error) {
	vals, ok := r.Header["If-Match"]
	if !ok {
		return nil, nil
	}
	h := strings.TrimSpace(strings.Join(vals, ","))
	digits, ok1 := strings.CutPrefix(h, `"`)
	digits, ok2 := strings.CutSuffix(digits, `"`)
	v, err := strconv.ParseInt(digits, 10, 64)
	if !ok1 || !ok2 || err != nil || len(digits) > 18 || digits[0] < '0' || digits[0] > '9' || len(digits) > 1 && digits[0] == '0' {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "invalid_if_match", `If-Match must be the item's ETag, e.g. "3"`)
	}
	return &v, nil
}

// pathID reads an item's id from the path; one no item can have is a 404.
func pathID(r *http.Request, kind string) (string, error) {
	id := r.PathValue("id")
	if id == "" || len(id) > maxEntityID {
		return "", helpdesk.Errorf(helpdesk.ENotFound, kind+"_not_found", "no %s has that id", kind)
	}
	return id, nil
}

func writeTagged(w http.ResponseWriter, status int, version int64, v any) {
	w.Header().Set("ETag", versionTag(version))
	httpjson.Write(w, status, v)
}

// getItem serves GET /api/<kind>s/{id}: the item, its version as ETag.
func getItem[T any](kind string, get func(ctx context.Context, id string) (T, error), version func(T) int64) handler {
	return func(w http.ResponseWriter, r *http.Request, _ helpdesk.Principal) error {
		id, err := pathID(r, kind)
		if err != nil {
			return err
		}
		item, err := get(r.Context(), id)
		if err != nil {
			return err
		}
		writeTagged(w, http.StatusOK, version(item), item)
		return nil
	}
}

// patchItem serves PATCH /api/<kind>s/{id}: the id, the version If-Match
// names (none: decided on what is there), the body, the change, and the
// item as it now is with its new version as ETag.
func patchItem[Req, T any](kind string, update func(ctx context.Context, by helpdesk.Principal, id string, req Req, ifMatch *int64) (T, error),
	version func(T) int64) handler {
	return func(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
		id, err := pathID(r, kind)
		if err != nil {
			return err
		}
		v, err := versionIfMatch(r)
		if err != nil {
			return err
		}
		req, err := readStrict[Req](r)
		if err != nil {
			return err
		}
		item, err := update(r.Context(), p, id, *req, v)
		if err != nil {
			return err
		}
		writeTagged(w, http.StatusOK, version(item), item)
		return nil
	}
}

func channelVersion(c helpdesk.Channel) int64 { return c.Version }
func userVersion(u admin.User) int64          { return u.Version }
func teamVersion(t helpdesk.Team) int64       { return t.Version }

// updateChannel and updateTeam record the actor by id (users' changes
// need the whole principal: only admins make admins).
func (a *API) updateChannel(ctx context.Context, by helpdesk.Principal, id string, req admin.ChannelPatch, v *int64) (helpdesk.Channel, error) {
	return a.Admin.UpdateChannel(ctx, by.Agent.ID, id, req, v)
}

func (a *API) updateTeam(ctx context.Context, by helpdesk.Principal, id string, req admin.TeamPatch, v *int64) (helpdesk.Team, error) {
	return a.Admin.UpdateTeam(ctx, by.Agent.ID, id, req, v)
}

func (a *API) getSettings(w http.ResponseWriter, r *http.Request, _ helpdesk.Principal) error {
	set, err := a.Admin.Settings(r.Context())
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, set.Version, set)
	return nil
}

func (a *API) putSettings(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	v, err := versionIfMatch(r)
	if err != nil {
		return err
	}
	req, err := readStrict[admin.SettingsRequest](r)
	if err != nil {
		return err
	}
	set, err := a.Admin.PutSettings(r.Context(), p.Agent.ID, *req, v)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusOK, set.Version, set)
	return nil
}

// ChannelList is every channel.
type ChannelList struct {
	Channels []helpdesk.Channel `json:"channels"`
}

func (a *API) listChannels(w http.ResponseWriter, r *http.Request, _ helpdesk.Principal) error {
	cs, err := a.Admin.Store.ListChannels(r.Context())
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, ChannelList{Channels: cs})
	return nil
}

// UserList is every user, by name.
type UserList struct {
	Users []admin.User `json:"users"`
}

func (a *API) listUsers(w http.ResponseWriter, r *http.Request, _ helpdesk.Principal) error {
	us, err := a.Admin.Users(r.Context())
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, UserList{Users: us})
	return nil
}

func (a *API) inviteUser(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	req, err := readStrict[admin.InviteRequest](r)
	if err != nil {
		return err
	}
	u, err := a.Admin.Invite(r.Context(), p, *req)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusCreated, u.Version, u)
	return nil
}

// TeamList is every team, by name.
type TeamList struct {
	Teams []helpdesk.Team `json:"teams"`
}

func (a *API) listTeams(w http.ResponseWriter, r *http.Request, _ helpdesk.Principal) error {
	ts, err := a.Store.ListTeams(r.Context())
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, TeamList{Teams: ts})
	return nil
}

func (a *API) createTeam(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	req, err := readStrict[admin.TeamRequest](r)
	if err != nil {
		return err
	}
	t, err := a.Admin.CreateTeam(r.Context(), p.Agent.ID, *req)
	if err != nil {
		return err
	}
	writeTagged(w, http.StatusCreated, t.Version, t)
	return nil
}

func (a *API) deleteTeam(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id, err := pathID(r, "team")
	if err != nil {
		return err
	}
	v, err := versionIfMatch(r)
	if err != nil {
		return err
	}
	if err := a.Admin.DeleteTeam(r.Context(), p.Agent.ID, id, v); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listAudit serves the audit trail, newest first, a page at a time.
func (a *API) listAudit(w http.ResponseWriter, r *http.Request, _ helpdesk.Principal) error {
	limit, err := readLimit(r, defaultPage, maxPage)
	if err != nil {
		return err
	}
	const scope = "audit"
	after, err := a.readCursor(r, scope)
	if err != nil {
		return err
	}
	entries, next, err := a.Store.ListAudit(r.Context(), after, int32(limit))
	if err != nil {
		return err
	}
	page := admin.AuditPage{Entries: entries}
	if next != "" {
		page.Next = a.sealCursor(next, scope)
	}
	httpjson.Write(w, http.StatusOK, page)
	return nil
}
