package agent

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file serves answering (replies, reply and close, saved replies),
// bulk changes and tickets created by hand.

// ComposeStore is what answering and saved replies read and write.
type ComposeStore interface {
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	GetSavedReply(ctx context.Context, id string) (helpdesk.SavedReply, error)
	PutSavedReply(ctx context.Context, r helpdesk.SavedReply) error
	DeleteSavedReply(ctx context.Context, id string) error
	ListSavedReplies(ctx context.Context) ([]helpdesk.SavedReply, error)
}

// Bounds of this slice's input (the document's limits).
const (
	maxBulk      = 100 // tickets of one bulk change
	maxSnippetID = 64  // characters of a saved reply's id (a UUID)
)

// ReplyRequest is a reply: text, or a saved reply rendered for the ticket,
// and the uploads to attach; status or close move the ticket with it, in
// the same change.
type ReplyRequest struct {
	Text        *string  `json:"text"`
	SnippetID   *string  `json:"snippet_id"`
	Attachments []string `json:"attachments"`
	Status      *string  `json:"status"`
	Close       bool     `json:"close"`
}

func (a *API) reply(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	t, err := a.visible(r.Context(), p, id)
	if err != nil {
		return err
	}
	if err := mayWork(p, "answer customers"); err != nil {
		return err
	}
	req, err := readStrict[ReplyRequest](r)
	if err != nil {
		return err
	}
	for _, f := range []struct {
		name string
		s    *string
		max  int
	}{{"text", req.Text, maxText}, {"snippet_id", req.SnippetID, maxSnippetID}, {"status", req.Status, maxName}} {
		if err := tooLong(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	in := desk.Answer{TicketID: id, AgentID: p.Agent.ID, Close: req.Close}
	switch {
	case (req.Text == nil) == (req.SnippetID == nil):
		return helpdesk.Errorf(helpdesk.EInvalid, "text_or_snippet", "send text or snippet_id, one of them")
	case req.Status != nil && req.Close:
		return helpdesk.Errorf(helpdesk.EInvalid, "status_or_close", "send status or close, not both")
	case req.Text != nil:
		in.Text = *req.Text
	default:
		if in.Text, err = a.renderSnippetText(r.Context(), p, t, *req.SnippetID); err != nil {
			return err
		}
	}
	if req.Status != nil {
		if *req.Status == "" {
			return helpdesk.Errorf(helpdesk.EInvalid, "status_required", "status names a status of the ticket's pipeline")
		}
		in.Status = *req.Status
	}
	if in.Attachments, err = a.attachments(r, p, req.Attachments); err != nil {
		return err
	}
	msg, cur, jobs, err := a.Desk.Answer(r.Context(), in)
	if err != nil {
		return err
	}
	// The reply is committed: if publishing fails now, the outbox relay
	// sends it, so the agent is told it is queued either way.
	if err := outbox.Flush(r.Context(), a.Store, a.Outbound, id, jobs); err != nil {
		a.Log.WarnContext(r.Context(), "reply committed, publish left to the relay", "ticket_id", id, "error", err)
	}
	w.Header().Set("ETag", etag(cur))
	httpjson.Write(w, http.StatusCreated, msg)
	return nil
}

// notAllowed answers a method a path does not serve. POST /api/tickets/bulk
// shares its shape with /api/tickets/{id}: without this, PATCH or GET of
// it would reach the ticket routes and answer 404 for ticket "bulk".
func notAllowed(allow string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Allow", allow)
		httpjson.Write(w, http.StatusMethodNotAllowed, httpjson.ErrorBody{Error: httpjson.ErrorDetail{
			Code: "method_not_allowed", Reason: "method_not_allowed", Message: "this path serves " + allow}})
	})
}

// registerBulkMethods makes every other method the ticket routes serve a
// 405 on the bulk paths.
func (a *API) registerBulkMethods(mux *http.ServeMux) {
	for _, r := range a.Routes() {
		method, path, _ := strings.Cut(r.Pattern, " ")
		if path == "/api/tickets/{id}" && method != http.MethodPost {
			mux.Handle(method+" /api/tickets/bulk", notAllowed(http.MethodPost))
			mux.Handle(method+" /api/tickets/delete", notAllowed(http.MethodPost))
		}
	}
}

// Saved replies.

func errNoSnippet(id string) error {
	return helpdesk.Errorf(helpdesk.ENotFound, "snippet_not_found", "no saved reply %s", id)
}

// snippet reads saved reply id if p may use it: someone else's personal one
// does not exist for them.
func (a *API) snippet(ctx context.Context, p helpdesk.Principal, id string) (helpdesk.SavedReply, error) {
	if id == "" || len(id) > maxSnippetID {
		return helpdesk.SavedReply{}, errNoSnippet(id)
	}
	s, err := a.Store.GetSavedReply(ctx, id)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return s, errNoSnippet(id)
	case err != nil:
		return s, err
	case !s.VisibleTo(p.Agent.ID):
		return s, errNoSnippet(id)
	}
	return s, nil
}

// renderSnippetText expands saved reply sid for ticket t.
func (a *API) renderSnippetText(ctx context.Context, p helpdesk.Principal, t helpdesk.Ticket, sid string) (string, error) {
	s, err := a.snippet(ctx, p, sid)
	if err != nil {
		return "", err
	}
	contact, err := a.Store.GetContact(ctx, t.ContactID)
	if err != nil && !errors.Is(err, helpdesk.ErrNotFound) {
		return "", err
	}
	return helpdesk.Render(s.Text, helpdesk.SnippetValues{ContactName: contact.Name, AgentName: p.Agent.Name, TicketNumber: t.ID}), nil
}

// Rendered is a saved reply as it reads on one ticket.
type Rendered struct {
	Text string `json:"text"`
}

func (a *API) renderSnippet(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	t, err := a.visible(r.Context(), p, r.PathValue("id"))
	if err != nil {
		return err
	}
	text, err := a.renderSnippetText(r.Context(), p, t, r.PathValue("sid"))
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, Rendered{Text: text})
	return nil
}

// SnippetList is the saved replies the caller may use, by name.
type SnippetList struct {
	Snippets []helpdesk.SavedReply `json:"snippets"`
}

func (a *API) listSnippets(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	all, err := a.Store.ListSavedReplies(r.Context())
	if err != nil {
		return err
	}
	out := []helpdesk.SavedReply{}
	for _, s := range all {
		if s.VisibleTo(p.Agent.ID) {
			out = append(out, s)
		}
	}
	httpjson.Write(w, http.StatusOK, SnippetList{Snippets: out})
	return nil
}

// SnippetRequest writes a saved reply.
type SnippetRequest struct {
	Name   string `json:"name"`
	Text   string `json:"text"`
	Shared bool   `json:"shared"`
}

// readSnippet reads and checks a saved reply's body: a name, text, and
// only tokens that render. A shared saved reply is the desk's: only who
// manages the settings writes one.
func readSnippet(r *http.Request, p helpdesk.Principal) (*SnippetRequest, error) {
	if err := mayWork(p, "write saved replies"); err != nil {
		return nil, err
	}
	req, err := readStrict[SnippetRequest](r)
	if err != nil {
		return nil, err
	}
	req.Name = strings.TrimSpace(req.Name)
	switch {
	case req.Name == "":
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "name_required", "a saved reply needs a name")
	case strings.TrimSpace(req.Text) == "":
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "text_required", "a saved reply needs text")
	case req.Shared && !p.CanManageSettings():
		return nil, helpdesk.Errorf(helpdesk.EForbidden, "cannot_share", "only who manages the desk's settings writes shared saved replies")
	}
	if err := tooLong("name", &req.Name, maxName); err != nil {
		return nil, err
	}
	if err := tooLong("text", &req.Text, maxText); err != nil {
		return nil, err
	}
	return req, helpdesk.CheckTokens(req.Text)
}

func (a *API) createSnippet(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	req, err := readSnippet(r, p)
	if err != nil {
		return err
	}
	now := a.Desk.Now().UTC()
	s := helpdesk.SavedReply{ID: helpdesk.NewID(), Name: req.Name, Text: req.Text, Shared: req.Shared,
		OwnerID: p.Agent.ID, CreatedAt: now, UpdatedAt: now}
	if err := a.Store.PutSavedReply(r.Context(), s); err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, s)
	return nil
}

// writable reads saved reply sid if p may change it: their own, or a
// shared one if they manage the settings.
func (a *API) writable(ctx context.Context, p helpdesk.Principal, sid string) (helpdesk.SavedReply, error) {
	s, err := a.snippet(ctx, p, sid)
	if err != nil {
		return s, err
	}
	if s.OwnerID != p.Agent.ID && !p.CanManageSettings() {
		return s, helpdesk.Errorf(helpdesk.EForbidden, "cannot_edit_snippet", "a shared saved reply is changed by who manages the desk's settings")
	}
	return s, nil
}

func (a *API) putSnippet(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	s, err := a.writable(r.Context(), p, r.PathValue("sid"))
	if err != nil {
		return err
	}
	req, err := readSnippet(r, p)
	if err != nil {
		return err
	}
	s.Name, s.Text, s.Shared, s.UpdatedAt = req.Name, req.Text, req.Shared, a.Desk.Now().UTC()
	if err := a.Store.PutSavedReply(r.Context(), s); err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, s)
	return nil
}

func (a *API) deleteSnippet(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	s, err := a.writable(r.Context(), p, r.PathValue("sid"))
	if err != nil {
		return err
	}
	if err := a.Store.DeleteSavedReply(r.Context(), s.ID); err != nil {
		if errors.Is(err, helpdesk.ErrNotFound) {
			return errNoSnippet(s.ID)
		}
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Bulk changes.

// BulkChange is what a bulk request changes on every ticket it names.
type BulkChange struct {
	OwnerID  *string            `json:"owner_id"`
	TeamID   *string            `json:"team_id"`
	Status   *string            `json:"status"`
	Priority *helpdesk.Priority `json:"priority"`
}

// BulkRequest names up to maxBulk tickets and one change for them all.
type BulkRequest struct {
	IDs    []string    `json:"ids"`
	Change *BulkChange `json:"change"`
}

// BulkItem is one ticket's result: its status as if changed alone, and
// the ticket (with its ETag) or the error.
type BulkItem struct {
	ID     string                `json:"id"`
	OK     bool                  `json:"ok"`
	Status int                   `json:"status"`
	ETag   string                `json:"etag,omitempty"`
	Ticket *helpdesk.Ticket      `json:"ticket,omitempty"`
	Error  *httpjson.ErrorDetail `json:"error,omitempty"`
}

// BulkResponse holds a result per ticket, in the request's order.
type BulkResponse struct {
	Results []BulkItem `json:"results"`
}

func (a *API) bulkEdit(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	req, err := readStrict[BulkRequest](r)
	if err != nil {
		return err
	}
	ch := req.Change
	switch {
	case len(req.IDs) == 0:
		return helpdesk.Errorf(helpdesk.EInvalid, "ids_required", "ids names the tickets to change")
	case len(req.IDs) > maxBulk:
		return helpdesk.Errorf(helpdesk.EInvalid, "too_many_ids", "ids: at most %d tickets at once", maxBulk)
	case ch == nil || ch.OwnerID == nil && ch.TeamID == nil && ch.Status == nil && ch.Priority == nil:
		return helpdesk.Errorf(helpdesk.EInvalid, "change_required", "change names at least one of owner_id, team_id, status, priority")
	case !p.CanWork():
		return mayWork(p, "change tickets")
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
	for _, f := range []struct {
		name string
		s    *string
	}{{"owner_id", ch.OwnerID}, {"team_id", ch.TeamID}, {"status", ch.Status}} {
		if err := tooLong("change."+f.name, f.s, maxName); err != nil {
			return err
		}
	}
	if ch.Priority != nil && !ch.Priority.Valid() {
		return helpdesk.Errorf(helpdesk.EInvalid, "unknown_priority", "unknown priority %q", *ch.Priority)
	}
	// Ids no ticket can have are answered without a read, like missing ones.
	var ids []string
	for _, id := range req.IDs {
		if helpdesk.ValidTicketID(id) {
			ids = append(ids, id)
		}
	}
	e := ticket.Edit{Owner: ch.OwnerID, Team: ch.TeamID, Status: ch.Status, Properties: ticket.Properties{Priority: ch.Priority}}
	results, err := a.Desk.EditMany(r.Context(), ids, e, p.Agent.ID, p.CanSee, errNoTicket)
	if err != nil {
		return err
	}
	byID := make(map[string]desk.BulkResult, len(results))
	for _, res := range results {
		byID[res.ID] = res
		if res.Err == nil {
			a.publish(r.Context(), res.Ticket)
		}
	}
	out := BulkResponse{Results: make([]BulkItem, 0, len(req.IDs))}
	for _, id := range req.IDs {
		res, ok := byID[id]
		if !ok {
			res = desk.BulkResult{ID: id, Err: errNoTicket(id)}
		}
		out.Results = append(out.Results, a.bulkItem(r, res))
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

func (a *API) bulkItem(r *http.Request, res desk.BulkResult) BulkItem {
	if res.Err == nil {
		t := res.Ticket
		return BulkItem{ID: res.ID, OK: true, Status: http.StatusOK, ETag: etag(t), Ticket: &t}
	}
	code := helpdesk.ErrorCode(res.Err)
	status := httpjson.Status(code)
	level := a.Log.InfoContext
	if status >= 500 {
		level = a.Log.ErrorContext
	}
	level(r.Context(), "bulk change of a ticket failed", "ticket_id", res.ID, "status", status, "error", res.Err)
	return BulkItem{ID: res.ID, Status: status, Error: &httpjson.ErrorDetail{Code: code,
		Reason: helpdesk.ErrorReason(res.Err), Message: helpdesk.ErrorMessage(res.Err)}}
}

// Tickets created by hand.

// NewContact names a ticket's contact: an existing one by id, or one
// found (or created) by email address.
type NewContact struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// CreateRequest is a ticket an agent creates by hand.
type CreateRequest struct {
	Type     ticket.HandKind   `json:"type"`
	Contact  *NewContact       `json:"contact"`
	Subject  string            `json:"subject"`
	Text     string            `json:"text"`
	Send     bool              `json:"send"`
	OwnerID  string            `json:"owner_id"`
	TeamID   string            `json:"team_id"`
	Priority helpdesk.Priority `json:"priority"`
	Category string            `json:"category"`
}

func (a *API) createTicket(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	if err := mayWork(p, "open tickets"); err != nil {
		return err
	}
	req, err := readStrict[CreateRequest](r)
	if err != nil {
		return err
	}
	c := req.Contact
	switch {
	case c == nil || (c.ID == "") == (c.Email == ""):
		return helpdesk.Errorf(helpdesk.EInvalid, "contact_required", "contact names an existing contact by id, or one by email (with name and phone)")
	case c.ID != "" && (c.Name != "" || c.Phone != ""):
		return helpdesk.Errorf(helpdesk.EInvalid, "contact_id_alone", "a contact named by id takes no name or phone")
	}
	for _, f := range []struct {
		name string
		s    *string
		max  int
	}{{"contact.id", &c.ID, maxName}, {"contact.email", &c.Email, 254}, {"contact.name", &c.Name, maxName},
		{"contact.phone", &c.Phone, 40}, {"subject", &req.Subject, maxSubject}, {"text", &req.Text, maxText},
		{"owner_id", &req.OwnerID, maxName}, {"team_id", &req.TeamID, maxName}, {"category", &req.Category, maxName}} {
		if err := tooLong(f.name, f.s, f.max); err != nil {
			return err
		}
	}
	t, _, jobs, err := a.Desk.Create(r.Context(), desk.NewTicket{Kind: req.Type, ContactID: c.ID, Email: c.Email,
		Name: c.Name, Phone: c.Phone, Subject: req.Subject, Text: req.Text, Send: req.Send, OwnerID: req.OwnerID,
		TeamID: req.TeamID, Priority: req.Priority, Category: req.Category, AgentID: p.Agent.ID})
	if err != nil {
		return err
	}
	if len(jobs) > 0 {
		if err := outbox.Flush(r.Context(), a.Store, a.Outbound, t.ID, jobs); err != nil {
			a.Log.WarnContext(r.Context(), "ticket committed, publish left to the relay", "ticket_id", t.ID, "error", err)
		}
	}
	w.Header().Set("ETag", etag(t))
	w.Header().Set("Location", "/api/tickets/"+t.ID)
	httpjson.Write(w, http.StatusCreated, t)
	return nil
}
