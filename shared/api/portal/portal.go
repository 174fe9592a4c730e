// Package portal is the customer portal's API (portal-api): passwordless
// access by a mailed link or code, revocable sessions, and the customer's
// read-only view of their own tickets. It is a plain net/http handler, like
// the agent API, adapted to API Gateway by lambdax.
//
// A customer sees only tickets whose contact is theirs; any other id is a
// 404, exactly like a missing one. Responses are built from types of this
// package (never helpdesk's), so internal notes, activity, routing reasons
// and hidden form fields cannot reach them by a new field.
//
// The contract is openapi.yaml, beside this file, served at
// GET /portal/api/openapi.yaml; a test holds it equal to the routes.
package portal

import (
	"context"
	_ "embed"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// OpenAPI is the portal API's contract.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Store is what the portal reads and writes: gets and queries only.
type Store interface {
	FindContactID(ctx context.Context, senderKey string) (string, error)
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error)
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	// TicketHeaders reads tickets by id in one batch, strongly consistent
	// like GetTicketHeader (the tickets merged into a page's, tickets.go);
	// missing ones are left out.
	TicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error)
	GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error)
	GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error)

	PutPortalGrant(ctx context.Context, hash string, g helpdesk.PortalGrant) error
	ConsumePortalGrant(ctx context.Context, hash string, now time.Time) (helpdesk.PortalGrant, error)
	PutPortalSession(ctx context.Context, hash string, s helpdesk.PortalSession) error
	GetPortalSession(ctx context.Context, hash string, now time.Time) (helpdesk.PortalSession, error)
	DeletePortalSession(ctx context.Context, hash string) error
	CountRate(ctx context.Context, scope string, window, expires time.Time) (int64, error)

	ReadStore // the read side's visits, term records, ratings, settings (me.go)
	// FindDedupe reads the router's record of an applied message (receipts.go).
	FindDedupe(ctx context.Context, key string) (ticket.Dedupe, error)
}

// API serves the portal routes.
type API struct {
	Store Store
	// Outbound publishes the sign-in mail (a jobs.PortalAccess).
	Outbound outbox.Publisher
	// Key signs link tokens and keys every stored hash (grants, sessions):
	// a secret of the tenant's stack, at least 32 bytes.
	Key []byte
	// LinkBase is the link a customer opens, to which the token is
	// appended, e.g. "https://help.acme.example/portal/#/signin?token=".
	LinkBase string
	Log      *slog.Logger
	Now      func() time.Time // time.Now if nil
	Random   io.Reader        // crypto/rand if nil
	// SourceIP names the caller for the per-source rate limit (the
	// request's RemoteAddr host if nil).
	SourceIP func(*http.Request) string
	// Limits are the rate limits (DefaultLimits if zero).
	Limits Limits

	// The read side's ports (me.go): attachment links (nil: none), the
	// rating use case (csat.Service), the settings (a cache; nil: read).
	Files    Links
	Ratings  Rater
	Settings SettingsSource
	// Ingest queues the customer's actions for the router (actions.go).
	Ingest Enqueuer
	// Uploads makes upload forms and reads uploads back; nil refuses
	// attachments (503).
	Uploads Files
	// ActionLimit bounds one customer's actions per rate window
	// (DefaultActionLimit if zero).
	ActionLimit int64
}

// maxBody bounds a small request body (access, session, upload): room
// for every string at its documented maxLength at its longest JSON
// spelling (maxEscaped), so no request the contract allows is a 413.
const maxBody = 8 << 10

// maxEscaped is the most bytes one character can take in JSON: a
// character outside the BMP written as two \u escapes.
const maxEscaped = 12

// Route is one served route: "METHOD /path/{param}".
type Route struct {
	Pattern string
	handler http.Handler
}

// Routes lists every route the API serves (a test holds it equal to the
// OpenAPI document).
func (a *API) Routes() []Route {
	routes := []Route{
		{"GET /portal/api/openapi.yaml", http.HandlerFunc(a.openAPI)},
		{"POST /portal/api/access", a.public(a.requestAccess)},
		{"POST /portal/api/session", a.public(a.openSession)},
		{"DELETE /portal/api/session", a.signedIn(a.closeSession)},
		{"GET /portal/api/tickets", a.signedIn(a.listTickets)},
		{"GET /portal/api/tickets/{id}", a.signedIn(a.getTicket)},
		{"POST /portal/api/tickets/{id}/rating", a.signedIn(a.rateTicket)},
		{"GET /portal/api/me", a.signedIn(a.getMe)},
		{"POST /portal/api/me/visit", a.signedIn(a.recordVisit)},
		{"GET /portal/api/tenant", a.public(a.getTenant)},
	}
	routes = append(routes, a.actionRoutes()...) // actions.go
	return routes
}

// Register adds the API's routes to mux.
func (a *API) Register(mux *http.ServeMux) {
	for _, r := range a.Routes() {
		mux.Handle(r.Pattern, r.handler)
	}
}

func (a *API) openAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(OpenAPI)
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// public runs a route that needs no session.
func (a *API) public(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noStore(w) // hardening.go
		if err := h(w, r); err != nil {
			a.fail(w, r, err)
		}
	})
}

// signedIn runs a route for the customer whose session the request carries.
func (a *API) signedIn(h func(w http.ResponseWriter, r *http.Request, s session) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		noStore(w) // hardening.go
		s, err := a.session(r)
		if err == nil {
			err = h(w, r, s)
		}
		if err != nil {
			a.fail(w, r, err)
		}
	})
}

// fail answers an error: a refused rate with 429 and Retry-After, anything
// else from the one error vocabulary.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var limited *rateLimited
	if errors.As(err, &limited) {
		a.Log.InfoContext(r.Context(), "request rate limited", "path", r.URL.Path, "scope", limited.scope)
		w.Header().Set("Retry-After", strconv.Itoa(limited.retryAfter))
		httpjson.Write(w, http.StatusTooManyRequests, httpjson.ErrorBody{Error: httpjson.ErrorDetail{
			Code: "rate_limited", Reason: "too_many_requests", Message: "too many requests: try again later"}})
		return
	}
	httpjson.Error(w, r, a.Log, err)
}

func (a *API) sourceIP(r *http.Request) string {
	if a.SourceIP != nil {
		return a.SourceIP(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
