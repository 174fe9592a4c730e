package agent

import (
	"errors"
	"net/http"
	"strings"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// splitRoutes serve splitting a ticket.
func (a *API) splitRoutes() []Route {
	return []Route{
		{"POST /api/tickets/{id}/split", a.signedIn(a.splitTicket)},
	}
}

// SplitRequest moves messages of an email ticket into a new ticket with
// the details given.
type SplitRequest struct {
	MessageIDs  []string          `json:"message_ids"`
	Subject     string            `json:"subject"`
	Description *string           `json:"description"`
	Priority    helpdesk.Priority `json:"priority"`
	Category    string            `json:"category"`
	OwnerID     string            `json:"owner_id"`
	TeamID      string            `json:"team_id"`
}

// SplitResponse is the new ticket and the one it was split from.
type SplitResponse struct {
	Ticket helpdesk.Ticket `json:"ticket"`
	Source helpdesk.Ticket `json:"source"`
}

// maxMessageID bounds a message id in a request (ours are UUIDs).
const maxMessageID = 100

func (a *API) splitTicket(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if _, err := a.visible(r.Context(), p, id); err != nil {
		return err
	}
	if err := mayWork(p, "split tickets"); err != nil {
		return err
	}
	req, err := readStrict[SplitRequest](r)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		s    *string
		max  int
	}{{"subject", &req.Subject, maxSubject}, {"description", req.Description, maxDescription},
		{"owner_id", &req.OwnerID, maxName}, {"team_id", &req.TeamID, maxName}, {"category", &req.Category, maxName}} {
		if err := tooLong(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	switch {
	case strings.TrimSpace(req.Subject) == "":
		return helpdesk.Errorf(helpdesk.EInvalid, "subject_required", "the new ticket needs a subject")
	case len(req.MessageIDs) == 0:
		return helpdesk.Errorf(helpdesk.EInvalid, "messages_required", "choose the messages to split off (message_ids)")
	case len(req.MessageIDs) > ticket.MaxSplitMessages:
		return helpdesk.Errorf(helpdesk.EInvalid, "split_too_large",
			"a split moves at most %d messages (one transaction); %d were chosen", ticket.MaxSplitMessages, len(req.MessageIDs))
	case !req.Priority.Valid():
		return helpdesk.Errorf(helpdesk.EInvalid, "unknown_priority", "unknown priority %q", req.Priority)
	}
	for i := range req.MessageIDs {
		if err := tooLong("message_ids", &req.MessageIDs[i], maxMessageID); err != nil {
			return err
		}
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	res, err := a.Desk.Split(r.Context(), desk.SplitRequest{TicketID: id, Version: version, MessageIDs: req.MessageIDs,
		Subject: req.Subject, Description: req.Description, Priority: req.Priority, Category: req.Category,
		OwnerID: req.OwnerID, TeamID: req.TeamID, AgentID: p.Agent.ID, Sees: p.CanSee})
	if errors.Is(err, ticket.ErrStale) {
		cur, rerr := a.Store.GetTicketHeader(r.Context(), id)
		if rerr != nil {
			return rerr
		}
		w.Header().Set("ETag", etag(cur))
		httpjson.Write(w, http.StatusPreconditionFailed, staleBody{ErrorBody: httpjson.ErrorBody{Error: httpjson.ErrorDetail{
			Code: helpdesk.EPrecondition, Reason: helpdesk.ErrorReason(err), Message: helpdesk.ErrorMessage(err)}}, Ticket: cur})
		return nil
	}
	if err != nil {
		return err
	}
	if res.Again {
		// A retry of a split done already: answered as the first was.
		a.Log.InfoContext(r.Context(), "split done already", "ticket_id", id, "split_off", res.Ticket.ID)
	}
	a.publish(r.Context(), res.Ticket)
	w.Header().Set("ETag", etag(res.Ticket))
	w.Header().Set("Location", "/api/tickets/"+res.Ticket.ID)
	httpjson.Write(w, http.StatusCreated, SplitResponse{Ticket: res.Ticket, Source: res.Source})
	return nil
}
