package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/uploads"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Receipt says where an accepted action landed.
type Receipt struct {
	MessageID string `json:"message_id"`
	TicketID  string `json:"ticket_id"`
	// ShownAs is the message's id in the ticket's conversation (the
	// router names it from the channel and this id): what the page waits
	// to see. Absent for a close or reopen, which add no message.
	ShownAs string `json:"shown_as,omitempty"`
}

var errNotLanded = helpdesk.Errorf(helpdesk.ENotFound, "not_landed", "no message of yours has landed with that id (yet)")

// receipt answers where the customer's message landed: the router's
// dedupe record (one read) names its ticket, which must be theirs.
func (a *API) receipt(w http.ResponseWriter, r *http.Request, s session) error {
	id := r.PathValue("message_id")
	hexID, ok := strings.CutPrefix(id, helpdesk.PortalMessagePrefix)
	if !ok || !uploads.ValidID(hexID) { // the same 32 hex digits as an upload id
		return errNotLanded
	}
	rec, err := a.Store.FindDedupe(r.Context(), store.DedupeKey(helpdesk.PortalChannelID, id))
	if errors.Is(err, helpdesk.ErrNotFound) {
		return errNotLanded
	}
	if err != nil {
		return err
	}
	t, err := a.theirTicket(r.Context(), rec.TicketID, s)
	if errors.Is(err, errNoTicket) {
		return errNotLanded
	}
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, Receipt{MessageID: id, TicketID: t.ID, ShownAs: rec.MessageID})
	return nil
}
