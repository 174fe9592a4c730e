// Package agent is the agent API: the HTTP interface agents and admins
// work the desk through (the agent console is its first client). It is a
// plain net/http handler, adapted to API Gateway only by lambdax. Every
// request is signed in (a bearer token from the stack's user pool, mapped
// to the agent record by its sub), every ticket is access-checked (a ticket
// outside someone's scope does not exist for them: 404), and every change
// goes through the ticket model via app/desk.
//
// The contract is openapi.yaml, beside this file, served at
// GET /api/openapi.yaml; a test holds it equal to the routes.
package agent

import (
	"context"
	_ "embed"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/admin"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// OpenAPI is the API's contract.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Authenticate checks a bearer token and returns who it was issued to and
// when; failures are EUnauthorised (auth.Verifier).
type Authenticate func(ctx context.Context, bearer string) (Token, error)

// Token is a verified bearer token: the user-pool identity (sub) it was
// issued to, and when (iat; zero when the token does not say).
type Token struct {
	Sub      string
	IssuedAt time.Time
}

// Store is what the API reads. It has no Scan: every request is served by
// gets and queries of the table and its indexes.
type Store interface {
	FindAgentBySub(ctx context.Context, sub string) (helpdesk.Agent, error)
	ListTeams(ctx context.Context) ([]helpdesk.Team, error)
	SetAway(ctx context.Context, agentID string, away bool) (helpdesk.Agent, error)
	SetSignedOut(ctx context.Context, agentID string, at time.Time) (helpdesk.Agent, error)
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error)
	// Clock reads the desk clock (changes.go).
	Clock(ctx context.Context) (helpdesk.DeskClock, error)
	NotifyStore
	outbox.Store
	conversationStore
	ComposeStore // compose.go: saved replies and contacts
	SearchStore
	AuditStore
	ViewStore
	FilteredStore  // filtered.go
	CSATStore      // csat.go
	SLAReportStore // slareport.go
	DueIndexStore  // dueview.go
}

// API serves the agent routes.
type API struct {
	Auth  Authenticate
	Store Store
	Desk  *desk.Service
	// Outbound publishes the jobs a reply commits (the outbox relay
	// publishes them if this process dies first).
	Outbound outbox.Publisher
	// CursorKey signs the page cursors the API hands out.
	CursorKey []byte
	Log       *slog.Logger
	// Files signs links to stored files and uploads (conversation.go).
	Files Files
	Now   func() time.Time // the clock of link expiries (time.Now if nil)
	// CountUpTo bounds the views' counts (DefaultCountUpTo when 0).
	CountUpTo int
	// Admin changes the desk's settings, with their audit trail (admin.go).
	Admin *admin.Service
	// Promoter makes filtered mail a ticket (filtered.go).
	Promoter Promoter
	// PortalLinks sends the portal's sign-in link in a chat conversation
	// (portallink.go); nil: 503.
	PortalLinks PortalLinks
}

// maxBody bounds a request body (replies carry text; files are uploaded
// elsewhere).
const maxBody = 1 << 20

// Route is one served route: "METHOD /path/{param}".
type Route struct {
	Pattern string
	handler http.Handler
}

// Routes lists every route the API serves (a test holds it equal to the
// OpenAPI document).
func (a *API) Routes() []Route {
	return slices.Concat([]Route{
		{"GET /api/openapi.yaml", http.HandlerFunc(a.openAPI)},
		{"GET /api/me", a.signedIn(a.me)},
		{"GET /api/changes", a.signedIn(a.changes)},
		{"POST /api/me/sign-out", a.signedIn(a.signOut)},
		{"PUT /api/me/availability", a.signedIn(a.setAvailability)},
		{"GET /api/views/{view}/tickets", a.signedIn(a.listView)},
		{"GET /api/tickets/{id}", a.signedIn(a.getTicket)},
		{"PATCH /api/tickets/{id}", a.signedIn(a.editTicket)},
		{"POST /api/tickets/{id}/replies", a.signedIn(a.reply)},
		{"POST /api/tickets/{id}/notes", a.signedIn(a.note)},
		{"POST /api/tickets/{id}/read", a.signedIn(a.markRead(false))},
		{"POST /api/tickets/{id}/unread", a.signedIn(a.markRead(true))},
		{"GET /api/tickets/{id}/timeline", a.signedIn(a.timeline)},
		{"POST /api/uploads", a.signedIn(a.upload)},
		{"POST /api/tickets/{id}/followers", a.signedIn(a.follow(false))},
		{"DELETE /api/tickets/{id}/followers", a.signedIn(a.follow(true))},
		{"GET /api/notifications", a.signedIn(a.listNotifications)},
		{"POST /api/notifications/read", a.signedIn(a.markAllRead)},
		{"POST /api/notifications/{id}/read", a.signedIn(a.markNotificationRead)},
		{"GET /api/me/notifications", a.signedIn(a.getNotifyPrefs)},
		{"PUT /api/me/notifications", a.signedIn(a.putNotifyPrefs)},
		{"POST /api/tickets/bulk", a.signedIn(a.bulkEdit)},
		{"POST /api/tickets", a.signedIn(a.createTicket)},
		{"GET /api/snippets", a.signedIn(a.listSnippets)},
		{"POST /api/snippets", a.signedIn(a.createSnippet)},
		{"PUT /api/snippets/{sid}", a.signedIn(a.putSnippet)},
		{"DELETE /api/snippets/{sid}", a.signedIn(a.deleteSnippet)},
		{"GET /api/tickets/{id}/snippets/{sid}/render", a.signedIn(a.renderSnippet)},
		{"GET /api/search", a.signedIn(a.searchTickets)},
		{"GET /api/contacts", a.signedIn(a.listContacts)},
		{"GET /api/contacts/{id}", a.signedIn(a.getContact)},
		{"PATCH /api/contacts/{id}", a.signedIn(a.editContact)},
		{"GET /api/views", a.signedIn(a.listViews)},
		{"POST /api/views", a.signedIn(a.createView)},
		{"GET /api/views/{view}", a.signedIn(a.getView)},
		{"PUT /api/views/{view}", a.signedIn(a.replaceView)},
		{"DELETE /api/views/{view}", a.signedIn(a.deleteView)},
		{"POST /api/tickets/{id}/merge", a.signedIn(a.mergeTicket)},
		{"POST /api/tickets/{id}/unmerge", a.signedIn(a.unmergeTicket)},
	}, a.adminRoutes(), a.filteredRoutes(), a.splitRoutes(), a.spamRoutes(), a.csatRoutes(), a.portalLinkRoutes(), a.slaReportRoutes())
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, r := range a.Routes() {
		mux.Handle(r.Pattern, r.handler)
	}
	a.registerBulkMethods(mux)
}

// handler is a route that knows who is asking.
type handler func(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error

// signedIn authenticates the request, finds the agent behind the token and
// the teams they belong to, and runs h; every error is answered from the
// one error vocabulary.
func (a *API) signedIn(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.principal(r)
		if err == nil {
			err = h(w, r, p)
		}
		if err != nil {
			httpjson.Error(w, r, a.Log, err)
		}
	})
}

// errSignedOut is the one answer for a token that names nobody active: it
// does not tell a deactivated user from an unknown one.
var errSignedOut = helpdesk.Errorf(helpdesk.EUnauthorised, "user_inactive", "this user is not an active user of the desk")

// errTokenSignedOut: the token was issued before its user signed out.
var errTokenSignedOut = helpdesk.Errorf(helpdesk.EUnauthorised, "signed_out", "this token was issued before you signed out: sign in again")

func (a *API) principal(r *http.Request) (helpdesk.Principal, error) {
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(bearer) == "" {
		return helpdesk.Principal{}, helpdesk.Errorf(helpdesk.EUnauthorised, "token_missing", "sign in: send Authorization: Bearer <token>")
	}
	tok, err := a.Auth(r.Context(), strings.TrimSpace(bearer))
	if err != nil {
		return helpdesk.Principal{}, err
	}
	agent, err := a.Store.FindAgentBySub(r.Context(), tok.Sub)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return helpdesk.Principal{}, errSignedOut
	case err != nil:
		return helpdesk.Principal{}, err
	case !agent.Active:
		// Refused at once, whatever the token's expiry.
		return helpdesk.Principal{}, errSignedOut
	case !agent.SignedOutAt.IsZero() && !tok.IssuedAt.After(agent.SignedOutAt.Truncate(time.Second)):
		// Issued before the user signed out. iat has whole seconds: a
		// token of the sign-out's own second is refused too (signing in
		// again that same second needs one more try; never the reverse).
		return helpdesk.Principal{}, errTokenSignedOut
	}
	teams, err := a.Store.ListTeams(r.Context())
	if err != nil {
		return helpdesk.Principal{}, err
	}
	p := helpdesk.Principal{Agent: agent}
	for _, t := range teams {
		if slices.Contains(t.MemberIDs, agent.ID) {
			p.Teams = append(p.Teams, t.ID)
		}
	}
	return p, nil
}

func (a *API) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(OpenAPI)
}

// Me is who is signed in.
type Me struct {
	Agent helpdesk.Agent `json:"agent"`
	Teams []string       `json:"teams"`
}

func (a *API) me(w http.ResponseWriter, _ *http.Request, p helpdesk.Principal) error {
	teams := p.Teams
	if teams == nil {
		teams = []string{}
	}
	httpjson.Write(w, http.StatusOK, Me{Agent: p.Agent, Teams: teams})
	return nil
}

// signOut ends every session of the signed-in user at the API: tokens
// issued before now are refused from the next request on (the console
// then revokes them at the user pool too).
func (a *API) signOut(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	if _, err := a.Store.SetSignedOut(r.Context(), p.Agent.ID, a.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// AvailabilityRequest sets the signed-in agent available or away.
type AvailabilityRequest struct {
	Away *bool `json:"away"`
}

// setAvailability lets an agent say they are away or back, which routing
// reads; an agent whose availability follows working hours is refused.
func (a *API) setAvailability(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	req, err := readObject[AvailabilityRequest](r)
	if err != nil {
		return err
	}
	if req.Away == nil {
		return helpdesk.Errorf(helpdesk.EInvalid, "away_required", "say whether you are away: {\"away\": true|false}")
	}
	if p.Agent.Availability.Mode == helpdesk.AvailabilitySchedule {
		return helpdesk.Errorf(helpdesk.EConflict, "availability_by_schedule", "your availability follows your working hours; an admin can switch it to manual")
	}
	agent, err := a.Store.SetAway(r.Context(), p.Agent.ID, *req.Away)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, agent)
	return nil
}
