package agent

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Input bounds (the document's maxLength), checked before anything is read
// or written, so that no value reaches the table past DynamoDB's key (2 KB)
// and item (400 KB) limits.
const (
	maxName        = 100    // characters of an owner, team, status or category
	maxSubject     = 1000   // characters of a subject
	maxDescription = 5000   // characters of a description an agent writes
	maxText        = 50_000 // characters of a reply or a note (at most 200 KB of UTF-8)
)

// errNoTicket answers a ticket that does not exist and one the caller may
// not see alike, so access cannot be inferred.
func errNoTicket(id string) error {
	return helpdesk.Errorf(helpdesk.ENotFound, "ticket_not_found", "no ticket %s", id)
}

// visible reads ticket id if the principal may see it. An id that no
// ticket can have is not looked up: like any missing ticket, it is a 404.
func (a *API) visible(ctx context.Context, p helpdesk.Principal, id string) (helpdesk.Ticket, error) {
	if err := checkID(id); err != nil {
		return helpdesk.Ticket{}, err
	}
	t, err := a.Store.GetTicketHeader(ctx, id)
	if err == nil && t.Expired(a.now()) {
		err = helpdesk.ErrNotFound // a spam ticket past its 90 days, TTL not yet done
	}
	return t, seen(p, id, t, err)
}

func checkID(id string) error {
	if !helpdesk.ValidTicketID(id) {
		return helpdesk.Errorf(helpdesk.ENotFound, "ticket_not_found", "no ticket has that id: ticket ids are 1 to %d digits", helpdesk.MaxTicketIDLen)
	}
	return nil
}

// seen answers a read of ticket id (t, err): a missing ticket and one the
// principal may not see alike.
func seen(p helpdesk.Principal, id string, t helpdesk.Ticket, err error) error {
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return errNoTicket(id)
	case err != nil:
		return err
	case !p.CanSee(t):
		return errNoTicket(id)
	}
	return nil
}

// etag is a ticket's entity tag: its version, which every change bumps.
func etag(t helpdesk.Ticket) string { return versionTag(t.Version) }

// ifMatch reads the version an If-Match header names (0 when absent): a
// quoted number from 1, at most 18 digits (the document's pattern). An
// empty or repeated If-Match is refused, not taken for an absent one.
func ifMatch(r *http.Request) (int64, error) {
	v, err := versionIfMatch(r)
	switch {
	case err != nil:
		return 0, err
	case v == nil:
		return 0, nil
	case *v == 0:
		// 0 would mean "no condition" to desk.Edit; no ticket has it.
		return 0, helpdesk.Errorf(helpdesk.EInvalid, "invalid_if_match", `If-Match must be a ticket's ETag, e.g. "3"`)
	}
	return *v, nil
}

// readObject decodes a JSON object body into a new T (a request struct);
// null, which would decode into nothing, is refused like any non-object.
func readObject[T any](r *http.Request) (*T, error) {
	var v *T
	if err := httpjson.ReadJSON(r, maxBody, &v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errNotObject
	}
	return v, nil
}

// tooLong refuses a field of more than max characters.
func tooLong(field string, s *string, max int) error {
	if s != nil && utf8.RuneCountInString(*s) > max {
		return helpdesk.Errorf(helpdesk.EInvalid, "field_too_long", "field %q: at most %d characters", field, max)
	}
	return nil
}

// EditRequest changes a ticket's fields; an absent field is left as it is,
// owner_id "" unassigns.
type EditRequest struct {
	OwnerID  *string            `json:"owner_id"`
	TeamID   *string            `json:"team_id"`
	Status   *string            `json:"status"`
	Priority *helpdesk.Priority `json:"priority"`
	Category *string            `json:"category"`
	Subject  *string            `json:"subject"`
	// Description replaces the start of the first message the ticket was
	// opened with ("" clears it).
	Description *string `json:"description"`
}

// check bounds the request's fields.
func (e *EditRequest) check() error {
	for _, f := range []struct {
		name string
		s    *string
		max  int
	}{{"owner_id", e.OwnerID, maxName}, {"team_id", e.TeamID, maxName}, {"status", e.Status, maxName},
		{"category", e.Category, maxName}, {"subject", e.Subject, maxSubject},
		{"description", e.Description, maxDescription}} {
		if err := tooLong(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	// What the document refuses is refused before the If-Match is compared:
	// a malformed edit is a 400 whatever version it names, never a 412.
	if e.Priority != nil && !e.Priority.Valid() {
		return helpdesk.Errorf(helpdesk.EInvalid, "unknown_priority", "unknown priority %q", *e.Priority)
	}
	if e.Subject != nil && strings.TrimSpace(*e.Subject) == "" {
		return helpdesk.Errorf(helpdesk.EInvalid, "subject_required", "a ticket needs a subject")
	}
	return nil
}

// staleBody is a 412's body: the error and the ticket as it now is, so the
// caller can show what changed and decide again.
type staleBody struct {
	httpjson.ErrorBody
	Ticket helpdesk.Ticket `json:"ticket"`
}

func (a *API) editTicket(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if _, err := a.visible(r.Context(), p, id); err != nil {
		return err
	}
	if err := mayWork(p, "change tickets"); err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	req, err := readObject[EditRequest](r)
	if err != nil {
		return err
	}
	if err := req.check(); err != nil {
		return err
	}
	e := ticket.Edit{Owner: req.OwnerID, Team: req.TeamID, Status: req.Status,
		Properties: ticket.Properties{Subject: req.Subject, Description: req.Description, Priority: req.Priority, Category: req.Category}}
	t, err := a.Desk.Edit(r.Context(), id, version, e, p.Agent.ID)
	if errors.Is(err, ticket.ErrStale) {
		cur, rerr := a.Store.GetTicketHeader(r.Context(), id)
		if rerr != nil {
			return rerr
		}
		a.Log.InfoContext(r.Context(), "stale edit refused", "ticket_id", id, "if_match", version, "version", cur.Version)
		w.Header().Set("ETag", etag(cur))
		httpjson.Write(w, http.StatusPreconditionFailed, staleBody{ErrorBody: httpjson.ErrorBody{Error: httpjson.ErrorDetail{
			Code: helpdesk.EPrecondition, Reason: helpdesk.ErrorReason(err), Message: helpdesk.ErrorMessage(err)}}, Ticket: cur})
		return nil
	}
	if err != nil {
		return err
	}
	a.publish(r.Context(), t)
	w.Header().Set("ETag", etag(t))
	httpjson.Write(w, http.StatusOK, t)
	return nil
}

// publish sends the jobs a change committed to the ticket's outbox (an
// assignment's or a status change's notification emails) now, rather than
// leaving them for the relay's next sweep; if it fails the relay sends
// them, so the change stands either way.
func (a *API) publish(ctx context.Context, t helpdesk.Ticket) {
	if len(t.Outbox) == 0 {
		return
	}
	if err := outbox.Flush(ctx, a.Store, a.Outbound, t.ID, t.Outbox); err != nil {
		a.Log.WarnContext(ctx, "change committed, publish left to the relay", "ticket_id", t.ID, "error", err)
	}
}

// TextRequest is a reply's or a note's body: plain text (formatted
// replies come with the console, sanitised on the way in).
type TextRequest struct {
	Text string `json:"text"`
}

// readText reads a reply's or a note's body.
func readText(r *http.Request) (string, error) {
	req, err := readObject[TextRequest](r)
	if err != nil {
		return "", err
	}
	if err := tooLong("text", &req.Text, maxText); err != nil {
		return "", err
	}
	return req.Text, nil
}

// markRead marks a ticket read (the console calls it when an agent opens
// the ticket: reading is for everybody) or unread again.
func (a *API) markRead(unread bool) handler {
	return func(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
		id := r.PathValue("id")
		if _, err := a.visible(r.Context(), p, id); err != nil {
			return err
		}
		t, err := a.Desk.SetUnread(r.Context(), id, unread)
		if err != nil {
			return err
		}
		w.Header().Set("ETag", etag(t))
		httpjson.Write(w, http.StatusOK, t)
		return nil
	}
}
