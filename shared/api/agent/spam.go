package agent

import (
	"net/http"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Spam, not spam, blocked senders and delete (issue 12). Who may: those
// with the delete permission (helpdesk.Principal.CanDeleteTickets; others
// 403 cannot_mark_spam / cannot_delete); a ticket outside their access is
// 404 ticket_not_found first, decided on the state each change is made on
// (app/desk/spam.go).

func (a *API) spamRoutes() []Route {
	return []Route{
		{"POST /api/tickets/{id}/spam", a.signedIn(a.markSpam)},
		{"POST /api/tickets/{id}/not-spam", a.signedIn(a.notSpam)},
		{"DELETE /api/tickets/{id}", a.signedIn(a.deleteTicket)},
		{"POST /api/tickets/delete", a.signedIn(a.bulkDelete)},
		{"GET /api/blocked-senders", a.signedIn(a.listBlocked)},
		{"DELETE /api/blocked-senders/{key}", a.signedIn(a.unblock)},
	}
}

// maxBulkDelete bounds the tickets one bulk delete names (each is its own
// transaction, 8 at a time).
const maxBulkDelete = 1000

// SpamRequest marks conversations of a ticket as spam: its own id or a
// merged ticket's (none: all of them, and the ticket goes to spam), and
// optionally blocks their senders.
type SpamRequest struct {
	Conversations []string `json:"conversations,omitempty"`
	BlockSender   bool     `json:"block_sender,omitempty"`
}

// SpamResponse is the ticket as marked and the senders blocked.
type SpamResponse struct {
	Ticket  helpdesk.Ticket          `json:"ticket"`
	Blocked []helpdesk.BlockedSender `json:"blocked,omitempty"`
}

func (a *API) markSpam(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return err
	}
	req, err := readStrict[SpamRequest](r)
	if err != nil {
		return err
	}
	for _, c := range req.Conversations {
		if !helpdesk.ValidTicketID(c) {
			return helpdesk.Errorf(helpdesk.EInvalid, "unknown_conversation", "conversations are ticket ids (the ticket's own, or one merged into it)")
		}
	}
	res, err := a.Desk.Spam(r.Context(), id, desk.SpamRequest{Conversations: req.Conversations, BlockSender: req.BlockSender}, p, errNoTicket)
	if err != nil {
		return noTicketIfMissing(id, err)
	}
	w.Header().Set("ETag", etag(res.Ticket))
	httpjson.Write(w, http.StatusOK, SpamResponse{Ticket: res.Ticket, Blocked: res.Blocked})
	return nil
}

func (a *API) notSpam(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return err
	}
	t, err := a.Desk.NotSpam(r.Context(), id, p, errNoTicket)
	if err != nil {
		return noTicketIfMissing(id, err)
	}
	w.Header().Set("ETag", etag(t))
	httpjson.Write(w, http.StatusOK, t)
	return nil
}

func (a *API) deleteTicket(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return err
	}
	if _, err := a.Desk.DeleteTicket(r.Context(), id, p, errNoTicket); err != nil {
		return noTicketIfMissing(id, err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// noTicketIfMissing answers a ticket gone (deleted meanwhile) as missing.
func noTicketIfMissing(id string, err error) error {
	if helpdesk.ErrorCode(err) == helpdesk.ENotFound {
		return errNoTicket(id)
	}
	return err
}

// BulkDeleteRequest names the tickets to delete (ids, or every ticket of a
// view the caller sees, as the view reads now) and the count the caller
// typed to confirm it.
type BulkDeleteRequest struct {
	IDs     []string `json:"ids,omitempty"`
	View    string   `json:"view,omitempty"`
	Team    string   `json:"team,omitempty"` // the team of a "my team" view
	Confirm *int     `json:"confirm"`
}

// BulkDeleteResponse holds a result per ticket, in the request's order,
// and how many were deleted.
type BulkDeleteResponse struct {
	Deleted int        `json:"deleted"`
	Results []BulkItem `json:"results"`
}

func (a *API) bulkDelete(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	req, err := readStrict[BulkDeleteRequest](r)
	if err != nil {
		return err
	}
	switch {
	case len(req.IDs) > 0 && req.View != "":
		return helpdesk.Errorf(helpdesk.EInvalid, "ids_or_view", "name the tickets by ids or by view, not both")
	case req.Confirm != nil && req.View != "" && p.CanDeleteTickets():
		if req.IDs, err = a.viewSelection(r, p, req.View, req.Team); err != nil {
			return err
		}
		if len(req.IDs) == 0 {
			// An empty view: nothing to delete, whatever was confirmed.
			return helpdesk.Errorf(helpdesk.EConflict, "confirm_mismatch", "you confirmed %d tickets, but the view holds none: nothing was deleted", *req.Confirm)
		}
	}
	switch {
	case req.View != "" && !p.CanDeleteTickets():
		return helpdesk.Errorf(helpdesk.EForbidden, "cannot_delete", "only users with the delete permission may delete tickets")
	case req.View != "" && req.Confirm == nil:
		return helpdesk.Errorf(helpdesk.EInvalid, "confirm_required", "confirm is the number of tickets to delete, as the user typed it")
	case len(req.IDs) == 0:
		return helpdesk.Errorf(helpdesk.EInvalid, "ids_required", "ids (or view) names the tickets to delete")
	case len(req.IDs) > maxBulkDelete:
		return helpdesk.Errorf(helpdesk.EInvalid, "too_many_ids", "ids: at most %d tickets at once", maxBulkDelete)
	case req.Confirm == nil:
		return helpdesk.Errorf(helpdesk.EInvalid, "confirm_required", "confirm is the number of tickets to delete, as the user typed it")
	}
	seen := make(map[string]bool, len(req.IDs))
	for _, id := range req.IDs {
		if id == "" || len(id) > maxName {
			return helpdesk.Errorf(helpdesk.EInvalid, "invalid_id", "ids: 1 to %d characters each", maxName)
		}
		if seen[id] {
			return helpdesk.Errorf(helpdesk.EInvalid, "duplicate_id", "ids: ticket %q is named twice", id)
		}
		seen[id] = true
	}
	results, err := a.Desk.DeleteMany(r.Context(), req.IDs, *req.Confirm, p, func(id string) error {
		return errNoTicket(id)
	})
	if err != nil {
		return err
	}
	out := BulkDeleteResponse{Results: make([]BulkItem, 0, len(results))}
	for _, res := range results {
		if res.Err == nil {
			out.Deleted++
			out.Results = append(out.Results, BulkItem{ID: res.ID, OK: true, Status: http.StatusNoContent})
			continue
		}
		res.Err = noTicketIfMissing(res.ID, res.Err)
		out.Results = append(out.Results, a.bulkItem(r, res))
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

// BlockedSenders lists the blocked senders, oldest block first.
type BlockedSenders struct {
	BlockedSenders []helpdesk.BlockedSender `json:"blocked_senders"`
}

func (a *API) listBlocked(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	list, err := a.Desk.ListBlocked(r.Context(), p)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, BlockedSenders{BlockedSenders: list})
	return nil
}

func (a *API) unblock(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	key := r.PathValue("key")
	if key == "" || len(key) > 1024 {
		return helpdesk.Errorf(helpdesk.ENotFound, "sender_not_blocked", "no blocked sender has that key")
	}
	if err := a.Desk.Unblock(r.Context(), key, p); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// viewSelection reads every ticket of a view the caller sees, as it reads
// now (pages of 100; more than maxBulkDelete is refused).
func (a *API) viewSelection(r *http.Request, p helpdesk.Principal, view, team string) ([]string, error) {
	if len(view) > maxName || len(team) > maxName {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "invalid_view", "view and team: at most %d characters", maxName)
	}
	v, err := a.findView(r.Context(), p, view, team)
	if err != nil {
		return nil, err
	}
	pl := a.planView(v.Filter, v.Sort.Normal(), p)
	var ids []string
	for pos := ""; ; {
		tickets, next, err := a.page(r.Context(), p, pl, pos, 100)
		if err != nil {
			return nil, err
		}
		for _, t := range tickets {
			ids = append(ids, t.ID)
		}
		if len(ids) > maxBulkDelete {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "too_many_ids", "the view holds more than %d tickets: delete them in parts", maxBulkDelete)
		}
		if next == "" || len(tickets) == 0 {
			return ids, nil
		}
		pos = next
	}
}
