package agent

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The default views (seed 000).
const (
	ViewUnassigned       = "unassigned"
	ViewMyOpen           = "my_open"
	ViewAllOpen          = "all_open"
	ViewMyTeamUnassigned = "my_team_unassigned"
	ViewMyTeamOpen       = "my_team_open"
	ViewSpam             = "spam"
	ViewClosed           = "closed"
)

// Page sizes, and a cursor's bound.
const (
	defaultPage = 50
	maxPage     = 100
	maxCursor   = 2048
)

// TicketPage is one page of a view; Next, when set, continues it.
type TicketPage struct {
	Tickets []helpdesk.Ticket `json:"tickets"`
	Next    string            `json:"next,omitempty"`
}

// query turns a default view into the index partition that serves it.
func query(view string, p helpdesk.Principal, team string) (helpdesk.ViewQuery, error) {
	none, me := "", p.Agent.ID
	open := helpdesk.StateOpen
	switch view {
	case ViewUnassigned:
		return helpdesk.ViewQuery{State: open, Owner: &none}, nil
	case ViewMyOpen:
		return helpdesk.ViewQuery{State: open, Owner: &me}, nil
	case ViewAllOpen:
		return helpdesk.ViewQuery{State: open}, nil
	case ViewSpam:
		return helpdesk.ViewQuery{State: helpdesk.StateSpam}, nil
	case ViewClosed:
		return helpdesk.ViewQuery{State: helpdesk.StateClosed}, nil
	case ViewMyTeamUnassigned, ViewMyTeamOpen:
		if team == "" {
			if len(p.Teams) == 0 {
				return helpdesk.ViewQuery{}, helpdesk.Errorf(helpdesk.EInvalid, "no_team", "you belong to no team; name one with ?team=")
			}
			team = p.Teams[0]
		}
		if !slices.Contains(p.Teams, team) && p.Scope() != helpdesk.ScopeAll {
			return helpdesk.ViewQuery{}, helpdesk.Errorf(helpdesk.EInvalid, "not_your_team", "you are not a member of team %q", team)
		}
		return helpdesk.ViewQuery{State: open, Team: team, UnassignedOnly: view == ViewMyTeamUnassigned}, nil
	}
	return helpdesk.ViewQuery{}, helpdesk.Errorf(helpdesk.ENotFound, "view_not_found", "no view %q", view)
}

// listView serves a page of a default view: one index partition, newest
// first, keeping only the tickets the caller may see (so a page may hold
// fewer tickets than asked; Next says whether the view goes on).
func (a *API) listView(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	view, team := r.PathValue("view"), r.URL.Query().Get("team")
	if utf8.RuneCountInString(team) > maxName {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_team", "team: at most %d characters", maxName)
	}
	q, err := query(view, p, team)
	if err != nil {
		return err
	}
	limit := defaultPage
	if s := r.URL.Query().Get("limit"); s != "" {
		if limit, err = strconv.Atoi(s); err != nil || limit < 1 || limit > maxPage {
			return helpdesk.Errorf(helpdesk.EInvalid, "invalid_limit", "limit must be 1 to %d", maxPage)
		}
	}
	scope := view + "|" + q.Team
	after := ""
	if c := r.URL.Query().Get("cursor"); c != "" {
		if after, err = a.openCursor(c, scope); err != nil {
			return err
		}
	}
	tickets, next, err := a.Store.ListView(r.Context(), q, after, int32(limit))
	if err != nil {
		return err
	}
	page := TicketPage{Tickets: []helpdesk.Ticket{}}
	for _, t := range tickets {
		if p.CanSee(t) {
			page.Tickets = append(page.Tickets, t)
		}
	}
	if next != "" {
		page.Next = a.sealCursor(next, scope)
	}
	httpjson.Write(w, http.StatusOK, page)
	return nil
}

// cursor is a view position sealed for the client: opaque, bound to its
// view, and signed so a changed one is refused.
type cursor struct {
	Scope string `json:"s"`
	Pos   string `json:"p"`
}

func (a *API) sealCursor(pos, scope string) string {
	raw, _ := json.Marshal(cursor{Scope: scope, Pos: pos})
	mac := hmac.New(sha256.New, a.CursorKey)
	mac.Write(raw)
	return base64.RawURLEncoding.EncodeToString(raw) + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:16])
}

var errBadCursor = helpdesk.Errorf(helpdesk.EInvalid, "invalid_cursor", "the cursor is not one this view gave")

func (a *API) openCursor(s, scope string) (string, error) {
	if len(s) > maxCursor {
		return "", errBadCursor
	}
	body, sig, ok := strings.Cut(s, ".")
	raw, err1 := base64.RawURLEncoding.DecodeString(body)
	got, err2 := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err1 != nil || err2 != nil {
		return "", errBadCursor
	}
	mac := hmac.New(sha256.New, a.CursorKey)
	mac.Write(raw)
	if !hmac.Equal(got, mac.Sum(nil)[:16]) {
		return "", errBadCursor
	}
	var c cursor
	if json.Unmarshal(raw, &c) != nil || c.Scope != scope || c.Pos == "" {
		return "", errBadCursor
	}
	return c.Pos, nil
}
