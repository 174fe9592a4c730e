package agent

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// errNoTicket answers a ticket that does not exist and one the caller may
// not see alike, so access cannot be inferred.
func errNoTicket(id string) error {
	return helpdesk.Errorf(helpdesk.ENotFound, "ticket_not_found", "no ticket %s", id)
}

// visible reads ticket id if the principal may see it.
func (a *API) visible(ctx context.Context, p helpdesk.Principal, id string) (helpdesk.Ticket, error) {
	t, err := a.Store.GetTicketHeader(ctx, id)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return t, errNoTicket(id)
	case err != nil:
		return t, err
	case !p.CanSee(t):
		return helpdesk.Ticket{}, errNoTicket(id)
	}
	return t, nil
}

// etag is a ticket's entity tag: its version, which every change bumps.
func etag(t helpdesk.Ticket) string { return `"` + strconv.FormatInt(t.Version, 10) + `"` }

// ifMatch reads the version an If-Match header names (0 when absent).
func ifMatch(r *http.Request) (int64, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if err != nil || v <= 0 || !strings.HasPrefix(h, `"`) || !strings.HasSuffix(h, `"`) {
		return 0, helpdesk.Errorf(helpdesk.EInvalid, "invalid_if_match", `If-Match must be a ticket's ETag, e.g. "3"`)
	}
	return v, nil
}

// TicketView is a ticket with its conversation and timeline.
type TicketView struct {
	Ticket   helpdesk.Ticket     `json:"ticket"`
	Messages []helpdesk.Message  `json:"messages"`
	Activity []helpdesk.Activity `json:"activity"`
}

func view(c helpdesk.Conversation) TicketView {
	v := TicketView{Ticket: c.Ticket, Messages: c.Messages, Activity: c.Activities}
	if v.Messages == nil {
		v.Messages = []helpdesk.Message{}
	}
	if v.Activity == nil {
		v.Activity = []helpdesk.Activity{}
	}
	return v
}

func (a *API) getTicket(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if _, err := a.visible(r.Context(), p, id); err != nil {
		return err
	}
	c, err := a.Store.GetTicket(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(c.Ticket))
	httpjson.Write(w, http.StatusOK, view(c))
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
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var req EditRequest
	if err := httpjson.ReadJSON(r, maxBody, &req); err != nil {
		return err
	}
	e := ticket.Edit{Owner: req.OwnerID, Team: req.TeamID, Status: req.Status,
		Properties: ticket.Properties{Subject: req.Subject, Priority: req.Priority, Category: req.Category}}
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
	w.Header().Set("ETag", etag(t))
	httpjson.Write(w, http.StatusOK, t)
	return nil
}

// TextRequest is a reply's or a note's body: plain text (formatted
// replies come with the console, sanitised on the way in).
type TextRequest struct {
	Text string `json:"text"`
}

func (a *API) reply(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if _, err := a.visible(r.Context(), p, id); err != nil {
		return err
	}
	if p.Agent.Role == helpdesk.RoleViewer {
		return helpdesk.Errorf(helpdesk.EForbidden, "viewer_cannot_reply", "viewers read and comment (notes); they do not answer customers")
	}
	var req TextRequest
	if err := httpjson.ReadJSON(r, maxBody, &req); err != nil {
		return err
	}
	msg, jobs, err := a.Desk.Reply(r.Context(), id, p.Agent.ID, req.Text, "")
	if err != nil {
		return err
	}
	// The reply is committed: if publishing fails now, the outbox relay
	// sends it, so the agent is told it is queued either way.
	if err := outbox.Flush(r.Context(), a.Store, a.Outbound, id, jobs); err != nil {
		a.Log.WarnContext(r.Context(), "reply committed, publish left to the relay", "ticket_id", id, "error", err)
	}
	httpjson.Write(w, http.StatusCreated, msg)
	return nil
}

func (a *API) note(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if _, err := a.visible(r.Context(), p, id); err != nil {
		return err
	}
	var req TextRequest
	if err := httpjson.ReadJSON(r, maxBody, &req); err != nil {
		return err
	}
	msg, err := a.Desk.Note(r.Context(), id, p.Agent.ID, req.Text)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, msg)
	return nil
}
