package agent

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
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
	ViewBreachingSoon    = "breaching_soon" // issue 15: due within the hour
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

// defaultView is one of the default views as a view: fixed id, a
// filter, newest first (Breaching soon: soonest due first). The my_team views read one team: the one named,
// else the caller's first.
func defaultView(view string, p helpdesk.Principal, team string) (helpdesk.View, bool, error) {
	open := []helpdesk.State{helpdesk.StateOpen}
	v := helpdesk.View{ID: view, Name: defaultNames[view]}
	switch view {
	case ViewUnassigned:
		v.Filter = helpdesk.ViewFilter{States: open, Owners: []string{helpdesk.FilterUnassigned}}
	case ViewMyOpen:
		v.Filter = helpdesk.ViewFilter{States: open, Owners: []string{helpdesk.FilterMe}}
	case ViewAllOpen:
		v.Filter = helpdesk.ViewFilter{States: open}
	case ViewSpam:
		v.Filter = helpdesk.ViewFilter{States: []helpdesk.State{helpdesk.StateSpam}}
	case ViewClosed:
		v.Filter = helpdesk.ViewFilter{States: []helpdesk.State{helpdesk.StateClosed}}
	case ViewBreachingSoon:
		// Read from the sweep's index (see dueview.go), soonest first.
		v.Filter = helpdesk.ViewFilter{States: open, SLA: &helpdesk.SLAFilter{DueWithinMinutes: 60}}
		v.Sort = helpdesk.ViewSort{By: helpdesk.SortDue, Order: helpdesk.OrderAsc}
	case ViewMyTeamUnassigned, ViewMyTeamOpen:
		if team == "" {
			if len(p.Teams) == 0 {
				return v, true, helpdesk.Errorf(helpdesk.EInvalid, "no_team", "you belong to no team; name one with ?team=")
			}
			team = p.Teams[0]
		}
		if !slices.Contains(p.Teams, team) && p.Scope() != helpdesk.ScopeAll {
			return v, true, helpdesk.Errorf(helpdesk.EInvalid, "not_your_team", "you are not a member of team %q", team)
		}
		v.TeamID = team
		v.Filter = helpdesk.ViewFilter{States: open, Teams: []string{team}}
		if view == ViewMyTeamUnassigned {
			v.Filter.Owners = []string{helpdesk.FilterUnassigned}
		}
	default:
		return v, false, nil
	}
	return v, true, nil
}

// defaultIDs are the default views, in the sidebar's order.
var defaultIDs = []string{ViewUnassigned, ViewMyOpen, ViewAllOpen, ViewMyTeamUnassigned, ViewMyTeamOpen, ViewBreachingSoon, ViewSpam, ViewClosed}

var defaultNames = map[string]string{
	ViewUnassigned: "Unassigned", ViewMyOpen: "My open", ViewAllOpen: "All open",
	ViewMyTeamUnassigned: "My team's unassigned", ViewMyTeamOpen: "My team's open",
	ViewBreachingSoon: "Breaching soon", ViewSpam: "Spam", ViewClosed: "Closed",
}

// findView is the view the path names: a default view, or a saved view the
// caller may see (any other is a 404, like one that does not exist).
func (a *API) findView(ctx context.Context, p helpdesk.Principal, id, team string) (helpdesk.View, error) {
	v, ok, err := defaultView(id, p, team)
	if ok || err != nil {
		return v, err
	}
	return a.savedView(ctx, p, id)
}

// listView serves a page of a view, default or saved: only tickets the
// caller may see, in the view's order (or the one ?sort= and ?order=
// ask), pages after the cursor's position (a keyset: see page).
func (a *API) listView(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	q := r.URL.Query()
	team := q.Get("team")
	if utf8.RuneCountInString(team) > maxName {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_team", "team: at most %d characters", maxName)
	}
	v, err := a.findView(r.Context(), p, r.PathValue("view"), team)
	if err != nil {
		return err
	}
	// A parameter given empty is refused like any value outside the
	// document's enum, not read as absent.
	sort := v.Sort
	if q.Has("sort") {
		if sort.By = q.Get("sort"); sort.By == "" {
			return helpdesk.Errorf(helpdesk.EInvalid, "invalid_sort", "sort: one of created, updated, last_customer_message, priority, due")
		}
	}
	if q.Has("order") {
		if sort.Order = q.Get("order"); sort.Order == "" {
			return helpdesk.Errorf(helpdesk.EInvalid, "invalid_order", "order: asc or desc")
		}
	}
	if err := checkSort(sort, "sort"); err != nil {
		return err
	}
	sort = sort.Normal()
	limit, err := readLimit(r, defaultPage, maxPage)
	if err != nil {
		return err
	}
	scope := v.ID + "|" + v.TeamID + "|" + sort.By + "|" + sort.Order
	pos, err := a.readCursor(r, scope)
	if err != nil {
		return err
	}
	tickets, next, err := a.page(r.Context(), p, a.planView(v.Filter, sort, p), pos, limit)
	if err != nil {
		return err
	}
	page := TicketPage{Tickets: tickets}
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
