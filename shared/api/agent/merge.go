package agent

import (
	"context"
	"errors"
	"net/http"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file serves merging: POST /api/tickets/{id}/merge merges ticket
// {id} into another, and a merged ticket's page redirects to the ticket it
// was merged into.

// MergeRequest merges the path's ticket (the secondary) into Into (the
// primary, whose properties the merged ticket keeps). If-Match, optional,
// is the version of the path's ticket the agent saw; IntoVersion,
// optional, the primary's.
type MergeRequest struct {
	Into        string `json:"into"`
	IntoVersion int64  `json:"into_version"`
}

// MergeConflictBody is a refused merge's 409: the error and both tickets
// as they now are (ticket: the path's, into: the primary).
type MergeConflictBody struct {
	httpjson.ErrorBody
	Ticket helpdesk.Ticket `json:"ticket"`
	Into   helpdesk.Ticket `json:"into"`
}

// MergedRedirect is the body of a merged ticket's page: 307 to the ticket
// it was merged into (Location), and the tombstone itself.
type MergedRedirect struct {
	MergedInto string          `json:"merged_into"`
	Location   string          `json:"location"`
	Ticket     helpdesk.Ticket `json:"ticket"`
}

func (a *API) mergeTicket(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if _, err := a.visible(r.Context(), p, id); err != nil {
		return err
	}
	if err := mayWork(p, "merge tickets"); err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	req, err := readObject[MergeRequest](r)
	if err != nil {
		return err
	}
	if req.Into == "" {
		return helpdesk.Errorf(helpdesk.EInvalid, "into_required", `name the ticket to merge into: {"into": "<ticket id>"}`)
	}
	if req.IntoVersion < 0 {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_into_version", "into_version is a ticket's version, from 1")
	}
	// The agent must be able to work both tickets; one they cannot see does
	// not exist for them.
	if _, err := a.visible(r.Context(), p, req.Into); err != nil {
		return err
	}
	t, err := a.Desk.MergeTickets(r.Context(), desk.MergeRequest{Primary: req.Into, Secondary: id,
		PrimaryVersion: req.IntoVersion, SecondaryVersion: version, Actor: p.Agent.ID})
	if mc, ok := desk.AsMergeConflict(err); ok {
		a.Log.InfoContext(r.Context(), "merge refused", "ticket_id", id, "into", req.Into, "reason", helpdesk.ErrorReason(mc.Err))
		w.Header().Set("ETag", etag(mc.Secondary))
		httpjson.Write(w, http.StatusConflict, MergeConflictBody{ErrorBody: httpjson.ErrorBody{Error: httpjson.ErrorDetail{
			Code: helpdesk.EConflict, Reason: helpdesk.ErrorReason(mc.Err), Message: helpdesk.ErrorMessage(mc.Err)}},
			Ticket: mc.Secondary, Into: mc.Primary})
		return nil
	}
	if err != nil {
		return err
	}
	w.Header().Set("ETag", etag(t))
	httpjson.Write(w, http.StatusOK, t)
	return nil
}

// redirectMerged answers a merged ticket's page: 307 to the ticket it was
// merged into, so a link to either opens the merged conversation (a
// client following it is then checked against that ticket's access).
// Temporary, not 308: an unmerge gives the ticket its own page back.
func redirectMerged(w http.ResponseWriter, t helpdesk.Ticket) {
	loc := "/api/tickets/" + t.MergedInto
	w.Header().Set("Location", loc)
	httpjson.Write(w, http.StatusTemporaryRedirect, MergedRedirect{MergedInto: t.MergedInto, Location: loc, Ticket: t})
}

// UnmergeResult is an unmerge's answer: the ticket unmerged, as it was
// before its merge plus what arrived for it since, and the ticket it had
// been merged into, as it now is.
type UnmergeResult struct {
	Ticket helpdesk.Ticket `json:"ticket"`
	From   helpdesk.Ticket `json:"from"`
}

// unmergeTicket undoes the merge of ticket {id} (the merged one). The
// caller must be able to work it and the ticket it was merged into. A
// ticket unmerged already (a retry) answers as the unmerge did, when the
// caller sees both; else 409 not_merged.
func (a *API) unmergeTicket(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	t, err := a.visible(r.Context(), p, id)
	if err != nil {
		return err
	}
	if err := mayWork(p, "unmerge tickets"); err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	if t.State != helpdesk.StateMerged || t.MergedInto == "" {
		// Nothing to write: the answer names the primary only if the
		// caller sees it (checked on the ticket answered).
		primary, sec, err := a.Desk.Unmerged(r.Context(), id)
		if err == nil && !p.CanSee(primary) {
			err = helpdesk.Errorf(helpdesk.EConflict, "not_merged", "ticket %s is not merged", id)
		}
		if err != nil {
			return err
		}
		a.Log.InfoContext(r.Context(), "unmerge done already", "ticket_id", id, "from", primary.ID)
		return unmerged(w, primary, sec)
	}
	if _, err := a.visible(r.Context(), p, t.MergedInto); err != nil {
		return err
	}
	primary, sec, err := a.Desk.Unmerge(r.Context(), id, version, p.Agent.ID)
	if errors.Is(err, ticket.ErrMergeStale) {
		cur, rerr := a.Store.GetTicketHeader(r.Context(), id)
		if rerr != nil {
			return rerr
		}
		into, rerr := a.Store.GetTicketHeader(r.Context(), t.MergedInto)
		if rerr != nil {
			return rerr
		}
		w.Header().Set("ETag", etag(cur))
		httpjson.Write(w, http.StatusConflict, MergeConflictBody{ErrorBody: httpjson.ErrorBody{Error: httpjson.ErrorDetail{
			Code: helpdesk.EConflict, Reason: helpdesk.ErrorReason(err), Message: helpdesk.ErrorMessage(err)}},
			Ticket: cur, Into: into})
		return nil
	}
	if err != nil {
		return err
	}
	return unmerged(w, primary, sec)
}

// unmerged answers an unmerge: the ticket unmerged (its ETag) and the one
// it came out of.
func unmerged(w http.ResponseWriter, primary, sec helpdesk.Ticket) error {
	w.Header().Set("ETag", etag(sec))
	httpjson.Write(w, http.StatusOK, UnmergeResult{Ticket: sec, From: primary})
	return nil
}

// mergedHits replaces each merged ticket among headers (a search hit on a
// merged ticket's own messages, indexed under it) by the ticket it was
// merged into, whose conversation shows them: a tombstone is in no list.
// A hit whose primary is merged on, or gone, is dropped.
func mergedHits(ctx context.Context, st interface {
	GetTicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error)
}, headers map[string]helpdesk.Ticket) error {
	var into []string
	for _, t := range headers {
		if t.State == helpdesk.StateMerged && t.MergedInto != "" {
			into = append(into, t.MergedInto)
		}
	}
	if len(into) == 0 {
		return nil
	}
	primaries, err := st.GetTicketHeaders(ctx, into)
	if err != nil {
		return err
	}
	for id, t := range headers {
		if t.State != helpdesk.StateMerged {
			continue
		}
		if p, ok := primaries[t.MergedInto]; ok && p.State != helpdesk.StateMerged {
			headers[id] = p
		} else {
			delete(headers, id)
		}
	}
	return nil
}
