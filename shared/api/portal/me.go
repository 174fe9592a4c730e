package portal

import (
	"context"
	"net/http"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// ReadStore is what the portal's read side adds to Store: the contact's
// last visit, the search index's term records, a ticket's rating and the
// settings (when no SettingsSource is given).
type ReadStore interface {
	SetPortalVisit(ctx context.Context, contactID string, at time.Time) error
	PortalVisit(ctx context.Context, contactID string) (time.Time, error)
	TicketTermHashes(ctx context.Context, ids []string) (map[string][]uint32, error)
	GetRating(ctx context.Context, ticketID string) (helpdesk.Rating, error)
	GetSettings(ctx context.Context) (helpdesk.Settings, error)
}

// Links signs links to the desk's stored files (s3files.Links on the
// stack's bucket, as the agent API's): the API never carries a file.
type Links interface {
	DownloadURL(ctx context.Context, key, name string, inline bool, ttl time.Duration) (string, error)
}

// fileLinkTTL is how long an attachment link works: enough to click it,
// short enough that a copied link soon dies.
const fileLinkTTL = 5 * time.Minute

// Rater records a signed-in customer's rating of a ticket whose header
// the portal has read (csat.Service.RateTicket: its rules decide, its
// store write keeps it once).
type Rater interface {
	RateTicket(ctx context.Context, t helpdesk.Ticket, contactID string, score int, comment string) (helpdesk.Rating, error)
}

// SettingsSource serves the tenant's settings (settings.Cache in a
// function: read once a minute, not per request).
type SettingsSource interface {
	Get(ctx context.Context) (helpdesk.Settings, error)
}

// settings returns the tenant's settings: from the source, else read (the
// defaults before an admin saved any; the portal never creates them).
func (a *API) settings(ctx context.Context) (helpdesk.Settings, error) {
	if a.Settings != nil {
		return a.Settings.Get(ctx)
	}
	set, err := a.Store.GetSettings(ctx)
	if helpdesk.IsCode(err, helpdesk.ENotFound) {
		return helpdesk.DefaultSettings(), nil
	}
	return set, err
}

// Me is the signed-in customer and the help button's badge.
type Me struct {
	Name              string     `json:"name"`
	Email             string     `json:"email,omitempty"`
	RepliesSinceVisit int        `json:"replies_since_visit"`
	LastVisitAt       *time.Time `json:"last_visit_at,omitempty"`
}

// getMe answers who is signed in and how many of their tickets an agent
// answered since their last visit: the contact, the visit, and the list's
// one Query (the headers carry the last reply), nothing per ticket.
func (a *API) getMe(w http.ResponseWriter, r *http.Request, s session) error {
	ctx := r.Context()
	c, err := a.Store.GetContact(ctx, s.contactID)
	if helpdesk.IsCode(err, helpdesk.ENotFound) {
		return errNoSession // the contact is gone (merged, erased): so is their way in
	}
	if err != nil {
		return err
	}
	visit, err := a.Store.PortalVisit(ctx, s.contactID)
	if err != nil {
		return err
	}
	tickets, err := a.Store.ContactTickets(ctx, s.contactID, maxTickets)
	if err != nil {
		return err
	}
	me := Me{Name: c.Name, Email: c.Email}
	if !visit.IsZero() {
		v := visit.UTC()
		me.LastVisitAt = &v
	}
	for _, t := range tickets {
		if visible(t, s.contactID) && t.LastAgentReplyAt.After(visit) {
			me.RepliesSinceVisit++
		}
	}
	httpjson.Write(w, http.StatusOK, me)
	return nil
}

// recordVisit records a visit now: the badge counts from here.
func (a *API) recordVisit(w http.ResponseWriter, r *http.Request, s session) error {
	if err := a.Store.SetPortalVisit(r.Context(), s.contactID, a.now()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
