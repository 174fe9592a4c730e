package portal

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/uploads"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// The customer's actions: a reply (with attachments, optionally closing),
// a close, a reopen, a new ticket. portal-api never writes a ticket: each
// action is checked here (the ticket is theirs, in a state for it, the
// uploads are theirs) and queued on the ingest queue as an inbound message
// of the portal channel, which the router applies like an email (dedupe,
// the ticket model, notifications). The answer names the message; the
// receipt route says where it landed.

// Enqueuer puts inbound messages on the ingest FIFO queue (sqsqueue.Ingest),
// grouped by the sender's key, so one customer's actions apply in order.
type Enqueuer interface {
	EnqueueInbound(ctx context.Context, m *helpdesk.InboundMessage) error
}

// Files makes upload forms and reads uploads back (s3files.Links).
type Files interface {
	uploads.Presigner
	uploads.Stater
}

// Bounds of an action.
const (
	maxText        = 50000
	maxSubject     = 200
	maxAttachments = 10
	maxAttachBytes = 25 << 20
	// DefaultActionLimit is how many actions (uploads included) one
	// customer may take in a rate window.
	DefaultActionLimit = 60
)

// maxActionBody bounds a reply's or a new ticket's body: the longest
// text and subject at their longest JSON spelling, the attachment ids,
// and the keys (about 600 KB, well inside Lambda's 6 MB).
const maxActionBody = maxEscaped*(maxText+maxSubject) + maxAttachments*40 + 1024

// ReplyRequest is a customer's answer in their ticket.
type ReplyRequest struct {
	Text        string   `json:"text"`
	Attachments []string `json:"attachments"`
	Close       bool     `json:"close"`
}

// NewTicketRequest opens a ticket.
type NewTicketRequest struct {
	Subject     string   `json:"subject"`
	Text        string   `json:"text"`
	Attachments []string `json:"attachments"`
}

// Queued names an accepted action's message.
type Queued struct {
	MessageID string `json:"message_id"`
}

func (a *API) actionRoutes() []Route {
	return []Route{
		{"POST /portal/api/tickets", a.signedIn(a.newTicket)},
		{"POST /portal/api/tickets/{id}/replies", a.signedIn(a.reply)},
		{"POST /portal/api/tickets/{id}/close", a.signedIn(a.closeTicket)},
		{"POST /portal/api/tickets/{id}/reopen", a.signedIn(a.reopenTicket)},
		{"GET /portal/api/receipts/{message_id}", a.signedIn(a.receipt)},
		{"POST /portal/api/uploads", a.signedIn(a.upload)},
	}
}

// limitActions counts one action of the customer against their limit.
func (a *API) limitActions(ctx context.Context, s session) error {
	max := a.ActionLimit
	if max == 0 {
		max = DefaultActionLimit
	}
	return a.limit(ctx, "actions#"+s.contactID, max)
}

// actOn counts an action on the request's ticket and reads the ticket.
func (a *API) actOn(r *http.Request, s session) (helpdesk.Ticket, error) {
	if err := a.limitActions(r.Context(), s); err != nil {
		return helpdesk.Ticket{}, err
	}
	return a.theirTicket(r.Context(), r.PathValue("id"), s)
}

// theirTicket reads ticket id's header for the customer: another's, a
// missing or a hidden one is the same 404 (errNoTicket), and an id no
// ticket can have is not looked up. Every portal route that names a
// ticket checks it here.
func (a *API) theirTicket(ctx context.Context, id string, s session) (helpdesk.Ticket, error) {
	if !helpdesk.ValidTicketID(id) {
		return helpdesk.Ticket{}, errNoTicket
	}
	t, err := a.Store.GetTicketHeader(ctx, id)
	if errors.Is(err, helpdesk.ErrNotFound) || (err == nil && !visible(t, s.contactID)) {
		return helpdesk.Ticket{}, errNoTicket
	}
	return t, err
}

func (a *API) reply(w http.ResponseWriter, r *http.Request, s session) error {
	ctx := r.Context()
	t, err := a.actOn(r, s)
	if err != nil {
		return err
	}
	var req ReplyRequest
	if err := readJSON(r, maxActionBody, &req); err != nil {
		return err
	}
	if err := checkText("text", req.Text, len(req.Attachments) > 0); err != nil {
		return err
	}
	atts, err := a.attachments(ctx, s, req.Attachments)
	if err != nil {
		return err
	}
	return a.queue(w, r, s, helpdesk.PortalAction{TicketID: t.ID, Close: req.Close}, "", req.Text, atts)
}

func (a *API) closeTicket(w http.ResponseWriter, r *http.Request, s session) error {
	return a.move(w, r, s, true)
}

func (a *API) reopenTicket(w http.ResponseWriter, r *http.Request, s session) error {
	return a.move(w, r, s, false)
}

// move queues a close (or a reopen) of a ticket that is open (closed).
func (a *API) move(w http.ResponseWriter, r *http.Request, s session, close bool) error {
	t, err := a.actOn(r, s)
	if err != nil {
		return err
	}
	switch {
	case close && t.State == helpdesk.StateClosed:
		return ticket.ErrAlreadyClosed
	case !close && t.State != helpdesk.StateClosed:
		return ticket.ErrNotClosed
	}
	return a.queue(w, r, s, helpdesk.PortalAction{TicketID: t.ID, Close: close, Reopen: !close}, "", "", nil)
}

func (a *API) newTicket(w http.ResponseWriter, r *http.Request, s session) error {
	ctx := r.Context()
	if err := a.limitActions(ctx, s); err != nil {
		return err
	}
	var req NewTicketRequest
	if err := readJSON(r, maxActionBody, &req); err != nil {
		return err
	}
	subject := strings.TrimSpace(req.Subject)
	if subject == "" || utf8.RuneCountInString(subject) > maxSubject || !utf8.ValidString(subject) {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_subject", "subject: 1 to %d characters", maxSubject)
	}
	if err := checkText("text", req.Text, false); err != nil {
		return err
	}
	atts, err := a.attachments(ctx, s, req.Attachments)
	if err != nil {
		return err
	}
	return a.queue(w, r, s, helpdesk.PortalAction{}, subject, req.Text, atts)
}

// checkText refuses a blank text (unless files go with it) or a long one.
func checkText(field, text string, files bool) error {
	switch {
	case strings.TrimSpace(text) == "" && !files:
		return helpdesk.Errorf(helpdesk.EInvalid, "text_required", "%s: write something (or attach a file)", field)
	case utf8.RuneCountInString(text) > maxText || !utf8.ValidString(text):
		return helpdesk.Errorf(helpdesk.EInvalid, "text_too_long", "%s: at most %d characters", field, maxText)
	}
	return nil
}

// attachments reads back the customer's uploads a message names: each
// must be an upload id given to them, and posted.
func (a *API) attachments(ctx context.Context, s session, ids []string) ([]helpdesk.Attachment, error) {
	return uploads.ReadAll(ctx, a.Uploads, ids, func(id string) string { return portalUploadKey(s.contactID, id) }, maxAttachments, maxAttachBytes)
}

// queue publishes the customer's action as an inbound message of the
// portal channel and answers 202 with its id.
func (a *API) queue(w http.ResponseWriter, r *http.Request, s session, act helpdesk.PortalAction, subject, text string, atts []helpdesk.Attachment) error {
	ctx := r.Context()
	if a.Ingest == nil {
		return helpdesk.Errorf(helpdesk.EUnavailable, "actions_unavailable", "the ticket pipeline is not configured")
	}
	c, err := a.Store.GetContact(ctx, s.contactID)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return errNoSession // the contact is gone: so is the session
	}
	if err != nil {
		return err
	}
	raw, err := a.random(16)
	if err != nil {
		return err
	}
	act.ContactID = c.ID
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelPortal, ChannelID: helpdesk.PortalChannelID,
		ProviderMessageID: helpdesk.PortalMessagePrefix + hex.EncodeToString(raw), ReceivedAt: a.now().UTC(),
		Sender: sender(c), Subject: subject, Text: text, Attachments: atts, Portal: &act}
	if err := m.Validate(); err != nil {
		return err // a contact with no identity to write as
	}
	if err := a.Ingest.EnqueueInbound(ctx, m); err != nil {
		return fmt.Errorf("queue portal action: %w", err)
	}
	a.Log.InfoContext(ctx, "portal action queued", "message_id", m.ProviderMessageID, "ticket_id", act.TicketID,
		"close", act.Close, "reopen", act.Reopen, "attachments", len(atts))
	httpjson.Write(w, http.StatusAccepted, Queued{MessageID: m.ProviderMessageID})
	return nil
}

// sender is who the customer writes as: their address, else the chat
// identity they are known by.
func sender(c helpdesk.Contact) helpdesk.Sender {
	if strings.TrimSpace(c.Email) != "" {
		return helpdesk.Sender{Email: c.Email, Name: c.Name}
	}
	return helpdesk.Sender{Name: c.Name, WhatsAppID: c.WhatsAppID, WhatsAppUserID: c.WhatsAppUserID, PSID: c.PSID, PageID: c.PageID}
}
