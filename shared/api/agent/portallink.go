package agent

import (
	"context"
	"net/http"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// PortalLinks makes a customer's portal sign-in link and queues it into a
// chat ticket's conversation (portal.API.SendConversationLink: the portal's
// own grant, so its tokens are made in one place).
type PortalLinks interface {
	SendConversationLink(ctx context.Context, contactID, ticketID string) error
}

// PortalLinkSent is the answer to POST /api/tickets/{id}/portal-link.
type PortalLinkSent struct {
	Status string `json:"status"` // "queued"
}

func (a *API) portalLinkRoutes() []Route {
	return []Route{
		{"POST /api/tickets/{id}/portal-link", a.signedIn(a.sendPortalLink)},
	}
}

// sendPortalLink offers a Messenger or WhatsApp customer (who may have no
// email to sign in with) the portal's link in their conversation. Who may
// reply may send it, inside the reply window a reply would have; email
// tickets use the portal's email sign-in.
func (a *API) sendPortalLink(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	t, err := a.visible(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := mayWork(p, "answer customers"); err != nil {
		return err
	}
	now := a.now()
	switch t.ChannelKind {
	case helpdesk.ChannelMessenger:
		_, _, err = ticket.MessengerReplyMode(t.LastCustomerMessageAt, now)
	case helpdesk.ChannelWhatsApp:
		err = ticket.WhatsAppReplyAllowed(t.LastCustomerMessageAt, now)
	default:
		return helpdesk.Errorf(helpdesk.EInvalid, "not_chat_ticket",
			"the portal link is sent in Messenger and WhatsApp conversations; %s customers sign in to the portal with their email", t.ChannelKind)
	}
	switch {
	case err != nil:
		return helpdesk.Errorf(helpdesk.EConflict, "outside_window", "%s", helpdesk.ErrorMessage(err))
	case t.State == helpdesk.StateSpam || t.State == helpdesk.StateMerged:
		return helpdesk.Errorf(helpdesk.EConflict, "ticket_"+string(t.State), "no link is sent on a %s ticket", t.State)
	case t.ContactID == "":
		return helpdesk.Errorf(helpdesk.EInvalid, "no_contact", "the ticket has no customer to sign in")
	case a.PortalLinks == nil:
		return helpdesk.Errorf(helpdesk.EUnavailable, "portal_unavailable", "the customer portal is not set up on this desk")
	}
	if err := a.PortalLinks.SendConversationLink(r.Context(), t.ContactID, t.ID); err != nil {
		return err
	}
	a.Log.InfoContext(r.Context(), "portal link queued", "ticket_id", t.ID, "agent_id", p.Agent.ID)
	httpjson.Write(w, http.StatusAccepted, PortalLinkSent{Status: "queued"})
	return nil
}
