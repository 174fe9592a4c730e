package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Bounds of a saved view.
const (
	maxFilterValues = 20 // values in one filter list
	maxViewID       = 64 // characters of a view id in a path
	maxHolderViews  = 50 // saved views one person or team holds
)

// ViewRequest creates or replaces a saved view. Times are RFC 3339 text,
// read here so that a bad one is refused naming its field.
type ViewRequest struct {
	Name   string            `json:"name"`
	TeamID string            `json:"team_id"`
	Filter FilterRequest     `json:"filter"`
	Sort   helpdesk.ViewSort `json:"sort"`
}

// FilterRequest is a view's filter as sent.
type FilterRequest struct {
	States              []string      `json:"states"`
	Statuses            []string      `json:"statuses"`
	Priorities          []string      `json:"priorities"`
	Channels            []string      `json:"channels"`
	Owners              []string      `json:"owners"`
	Teams               []string      `json:"teams"`
	Categories          []string      `json:"categories"`
	Unread              *bool         `json:"unread"`
	Created             *RangeRequest `json:"created"`
	Updated             *RangeRequest `json:"updated"`
	LastCustomerMessage *RangeRequest `json:"last_customer_message"`
	SLA                 *SLARequest   `json:"sla"`
}

// SLARequest keeps tickets by due date, relative to when the view is read
// (helpdesk.SLAFilter).
type SLARequest struct {
	Overdue          bool `json:"overdue"`
	DueWithinMinutes int  `json:"due_within_minutes"`
}

// maxDueWithin bounds a due window: a week.
const maxDueWithin = 7 * 24 * 60

// RangeRequest is [from, to), either end optional.
type RangeRequest struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ViewEntry is a view in the sidebar: its definition, whether it is a
// default one, and how many tickets paging through it would give the
// caller now.
type ViewEntry struct {
	helpdesk.View
	Default bool `json:"default"`
	Count   int  `json:"count"`
	// CountMore: there are at least Count tickets (the count stopped at
	// the API's bound; the sidebar shows "100+").
	CountMore bool `json:"count_more,omitempty"`
}

// ViewList is the caller's views with their counts.
type ViewList struct {
	Views []ViewEntry `json:"views"`
}

func invalidFilter(field, format string, args ...any) error {
	return helpdesk.Errorf(helpdesk.EInvalid, "invalid_filter", "%s: %s", field, fmt.Sprintf(format, args...))
}

// filter checks a sent filter and returns it as saved; every refusal names
// the field ("filter.priorities[1]").
func (f FilterRequest) filter() (helpdesk.ViewFilter, error) {
	var out helpdesk.ViewFilter
	list := func(name string, vs []string, ok func(string) bool, what string) ([]string, error) {
		if len(vs) > maxFilterValues {
			return nil, invalidFilter("filter."+name, "at most %d values", maxFilterValues)
		}
		for i, v := range vs {
			field := fmt.Sprintf("filter.%s[%d]", name, i)
			if v == "" || utf8.RuneCountInString(v) > maxName {
				return nil, invalidFilter(field, "1 to %d characters", maxName)
			}
			if ok != nil && !ok(v) {
				return nil, invalidFilter(field, "%q is not %s", v, what)
			}
		}
		return slices.Clone(vs), nil
	}
	state := func(v string) bool {
		return slices.Contains(allStates, helpdesk.State(v))
	}
	priority := func(v string) bool {
		return v == helpdesk.FilterNone || v != "" && helpdesk.Priority(v).Valid()
	}
	var err error
	var states []string
	if states, err = list("states", f.States, state, "open, closed or spam"); err != nil {
		return out, err
	}
	for _, s := range states {
		out.States = append(out.States, helpdesk.State(s))
	}
	if out.Statuses, err = list("statuses", f.Statuses, nil, ""); err != nil {
		return out, err
	}
	if out.Priorities, err = list("priorities", f.Priorities, priority, "low, medium, high, urgent or none"); err != nil {
		return out, err
	}
	if out.Channels, err = list("channels", f.Channels, nil, ""); err != nil {
		return out, err
	}
	if out.Owners, err = list("owners", f.Owners, nil, ""); err != nil {
		return out, err
	}
	if out.Teams, err = list("teams", f.Teams, nil, ""); err != nil {
		return out, err
	}
	if out.Categories, err = list("categories", f.Categories, nil, ""); err != nil {
		return out, err
	}
	out.Unread = f.Unread
	for _, r := range []struct {
		name string
		in   *RangeRequest
		out  **helpdesk.TimeRange
	}{{"created", f.Created, &out.Created}, {"updated", f.Updated, &out.Updated}, {"last_customer_message", f.LastCustomerMessage, &out.LastCustomerMessage}} {
		if r.in == nil {
			continue
		}
		var tr helpdesk.TimeRange
		for _, end := range []struct {
			name, text string
			at         *time.Time
		}{{"from", r.in.From, &tr.From}, {"to", r.in.To, &tr.To}} {
			if end.text == "" {
				continue
			}
			at, err := time.Parse(time.RFC3339Nano, end.text)
			if err != nil || len(end.text) > 40 {
				return out, invalidFilter("filter."+r.name+"."+end.name, "%.40q is not an RFC 3339 time", end.text)
			}
			*end.at = at.UTC()
		}
		if tr.From.IsZero() && tr.To.IsZero() {
			return out, invalidFilter("filter."+r.name, "give from, to or both")
		}
		if !tr.From.IsZero() && !tr.To.IsZero() && !tr.From.Before(tr.To) {
			return out, invalidFilter("filter."+r.name, "from must be before to")
		}
		*r.out = &tr
	}
	if f.SLA != nil {
		if f.SLA.DueWithinMinutes < 0 || f.SLA.DueWithinMinutes > maxDueWithin {
			return out, invalidFilter("filter.sla.due_within_minutes", "0 to %d minutes", maxDueWithin)
		}
		if !f.SLA.Overdue && f.SLA.DueWithinMinutes == 0 {
			return out, invalidFilter("filter.sla", "give overdue, due_within_minutes or both")
		}
		out.SLA = &helpdesk.SLAFilter{Overdue: f.SLA.Overdue, DueWithinMinutes: f.SLA.DueWithinMinutes}
	}
	return out, nil
}

// checkSort refuses an unknown sort, naming the field.
func checkSort(s helpdesk.ViewSort, field string) error {
	switch s.By {
	case "", helpdesk.SortCreated, helpdesk.SortUpdated, helpdesk.SortLastCustomerMessage, helpdesk.SortPriority, helpdesk.SortDue:
	default:
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_sort", "%s: %.100q is not created, updated, last_customer_message, priority or due", field, s.By)
	}
	switch s.Order {
	case "", helpdesk.OrderDesc, helpdesk.OrderAsc:
	default:
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_sort", "order: %.100q is not desc or asc", s.Order)
	}
	return nil
}

// errNoView answers a view that does not exist and one the caller may not
// see alike.
func errNoView(id string) error {
	return helpdesk.Errorf(helpdesk.ENotFound, "view_not_found", "no view %.64q", id)
}

// canSeeView: a personal view is its owner's, a shared one its team's;
// admins see every view.
func canSeeView(p helpdesk.Principal, v helpdesk.View) bool {
	return p.Agent.Role == helpdesk.RoleAdmin || v.TeamID == "" && v.OwnerID == p.Agent.ID ||
		v.TeamID != "" && slices.Contains(p.Teams, v.TeamID)
}

// savedView reads a saved view the caller may see.
func (a *API) savedView(ctx context.Context, p helpdesk.Principal, id string) (helpdesk.View, error) {
	if id == "" || len(id) > maxViewID {
		return helpdesk.View{}, errNoView(id)
	}
	v, err := a.Store.GetView(ctx, id)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return v, errNoView(id)
	case err != nil:
		return v, err
	case !canSeeView(p, v):
		return helpdesk.View{}, errNoView(id)
	}
	return v, nil
}

// editableView reads a saved view the caller may change: its creator or
// an admin. A default view cannot change.
func (a *API) editableView(ctx context.Context, p helpdesk.Principal, id string) (helpdesk.View, error) {
	if _, ok := defaultNames[id]; ok {
		return helpdesk.View{}, helpdesk.Errorf(helpdesk.EForbidden, "default_view", "the default view %s cannot be changed or deleted", id)
	}
	v, err := a.savedView(ctx, p, id)
	if err != nil {
		return v, err
	}
	if v.OwnerID != p.Agent.ID && p.Agent.Role != helpdesk.RoleAdmin {
		return v, helpdesk.Errorf(helpdesk.EForbidden, "view_not_yours", "only the view's creator or an admin may change it")
	}
	return v, nil
}

// checkView validates a request into v (keeping v's id, owner and
// creation); a shared view's team must exist and be the caller's (any team
// for an admin).
func (a *API) checkView(ctx context.Context, p helpdesk.Principal, req *ViewRequest, v *helpdesk.View) error {
	name := strings.TrimSpace(req.Name)
	switch {
	case name == "":
		return helpdesk.Errorf(helpdesk.EInvalid, "name_required", "name: give the view a name")
	case utf8.RuneCountInString(name) > maxName:
		return helpdesk.Errorf(helpdesk.EInvalid, "field_too_long", "field %q: at most %d characters", "name", maxName)
	case utf8.RuneCountInString(req.TeamID) > maxName:
		return helpdesk.Errorf(helpdesk.EInvalid, "field_too_long", "field %q: at most %d characters", "team_id", maxName)
	}
	filter, err := req.Filter.filter()
	if err != nil {
		return err
	}
	if err := checkSort(req.Sort, "sort.by"); err != nil {
		return err
	}
	if req.TeamID != "" && !slices.Contains(p.Teams, req.TeamID) {
		if p.Agent.Role != helpdesk.RoleAdmin {
			return helpdesk.Errorf(helpdesk.EInvalid, "not_your_team", "team_id: you are not a member of team %q", req.TeamID)
		}
		teams, err := a.Store.ListTeams(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(teams, func(t helpdesk.Team) bool { return t.ID == req.TeamID }) {
			return helpdesk.Errorf(helpdesk.EInvalid, "team_unknown", "team_id: no team %q", req.TeamID)
		}
	}
	v.Name, v.TeamID, v.Filter, v.Sort = name, req.TeamID, filter, req.Sort
	return nil
}

// holderFull refuses a view past what one holder may keep.
func (a *API) holderFull(ctx context.Context, v helpdesk.View) error {
	vs, err := a.Store.ListViews(ctx, []string{v.Holder()})
	if err != nil {
		return err
	}
	if n := len(vs); n >= maxHolderViews && !slices.ContainsFunc(vs, func(o helpdesk.View) bool { return o.ID == v.ID }) {
		return helpdesk.Errorf(helpdesk.EConflict, "too_many_views", "at most %d views each person or team", maxHolderViews)
	}
	return nil
}

// readView reads a view request; no member may be null (the document
// allows none, and a null would silently mean "no condition").
func readView(r *http.Request) (*ViewRequest, error) { return readStrict[ViewRequest](r) }

func newViewID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return "v" + hex.EncodeToString(b[:])
}

func (a *API) createView(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	req, err := readView(r)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	v := helpdesk.View{ID: newViewID(), OwnerID: p.Agent.ID, CreatedAt: now, UpdatedAt: now}
	if err := a.checkView(r.Context(), p, req, &v); err != nil {
		return err
	}
	if err := a.holderFull(r.Context(), v); err != nil {
		return err
	}
	if err := a.Store.PutView(r.Context(), v); err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, v)
	return nil
}

// getView answers one view with its count (a my_team view of someone in
// no team: its name only, counting nothing).
func (a *API) getView(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("view")
	_, isDefault := defaultNames[id]
	v, err := a.findView(r.Context(), p, id, "")
	if isDefault && helpdesk.IsCode(err, helpdesk.EInvalid) {
		httpjson.Write(w, http.StatusOK, ViewEntry{View: helpdesk.View{ID: id, Name: defaultNames[id]}, Default: true})
		return nil
	}
	if err != nil {
		return err
	}
	n, more, err := a.count(r.Context(), p, a.planView(v.Filter, v.Sort, p))
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, ViewEntry{View: v, Default: isDefault, Count: n, CountMore: more})
	return nil
}

func (a *API) replaceView(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	v, err := a.editableView(r.Context(), p, r.PathValue("view"))
	if err != nil {
		return err
	}
	req, err := readView(r)
	if err != nil {
		return err
	}
	if err := a.checkView(r.Context(), p, req, &v); err != nil {
		return err
	}
	if err := a.holderFull(r.Context(), v); err != nil {
		return err
	}
	v.UpdatedAt = time.Now().UTC()
	if err := a.Store.PutView(r.Context(), v); err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, v)
	return nil
}

func (a *API) deleteView(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	v, err := a.editableView(r.Context(), p, r.PathValue("view"))
	if err != nil {
		return err
	}
	if err := a.Store.DeleteView(r.Context(), v.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listViews lists the caller's views for the sidebar with their counts:
// the default views (the my_team ones for the caller's first team, and
// only if they have one), their personal views, and the views shared
// with their teams (every team's, for an admin). Each count is what
// paging through the view would give them (COUNT queries with the same
// partitions and filter).
func (a *API) listViews(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	ctx := r.Context()
	var entries []ViewEntry
	for _, id := range defaultIDs {
		v, _, err := defaultView(id, p, "")
		if err != nil {
			continue // a my_team view of someone in no team
		}
		entries = append(entries, ViewEntry{View: v, Default: true})
	}
	holders := []string{helpdesk.AgentRecipient(p.Agent.ID)}
	teams := p.Teams
	if p.Agent.Role == helpdesk.RoleAdmin {
		all, err := a.Store.ListTeams(ctx)
		if err != nil {
			return err
		}
		teams = nil
		for _, t := range all {
			teams = append(teams, t.ID)
		}
	}
	for _, t := range teams {
		holders = append(holders, helpdesk.TeamRecipient(t))
	}
	saved, err := a.Store.ListViews(ctx, holders)
	if err != nil {
		return err
	}
	for _, v := range saved {
		entries = append(entries, ViewEntry{View: v})
	}
	// The counts are independent Queries: a few at a time.
	errs := make([]error, len(entries))
	sem := make(chan struct{}, 8)
	var wg sync.WaitGroup
	for i := range entries {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			entries[i].Count, entries[i].CountMore, errs[i] = a.count(ctx, p, a.planView(entries[i].Filter, entries[i].Sort, p))
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	httpjson.Write(w, http.StatusOK, ViewList{Views: entries})
	return nil
}
