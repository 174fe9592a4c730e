package portal

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// maxTickets bounds the list: one Query of the contact's index.
const maxTickets = 200

// TicketSummary is a ticket as its customer sees it in their list.
type TicketSummary struct {
	ID        string    `json:"id"`
	Subject   string    `json:"subject"`
	State     string    `json:"state"` // open or closed
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// WaitingOnYou: the ticket is in a stage that waits on the customer
	// (the pipeline's waiting_on_customer marker).
	WaitingOnYou bool `json:"waiting_on_you"`
	// LastReplyBy and LastReplyAt: who last answered, and when (the
	// ticket header's record of its last agent reply).
	LastReplyBy string     `json:"last_reply_by,omitempty"`
	LastReplyAt *time.Time `json:"last_reply_at,omitempty"`
}

// TicketList is a customer's tickets, newest first.
type TicketList struct {
	Tickets []TicketSummary `json:"tickets"`
}

// TicketPage is one ticket and its public conversation.
type TicketPage struct {
	Ticket   TicketSummary   `json:"ticket"`
	Messages []PublicMessage `json:"messages"`
	// The satisfaction rating: given, or whether it can be given now and
	// until when (closed tickets).
	Rating    *Rating    `json:"rating,omitempty"`
	CanRate   bool       `json:"can_rate"`
	RateUntil *time.Time `json:"rate_until,omitempty"`
}

// PublicMessage is a message the customer sent or was sent: never a note.
type PublicMessage struct {
	ID          string             `json:"id"`
	From        string             `json:"from"`                 // "customer" or "agent"
	AgentName   string             `json:"agent_name,omitempty"` // who answered
	Subject     string             `json:"subject,omitempty"`
	Text        string             `json:"text"`
	Attachments []PublicAttachment `json:"attachments"`
	CreatedAt   time.Time          `json:"created_at"`
}

// PublicAttachment names a file of a message; URL is a download link
// good for 5 minutes, for the files the desk keeps.
type PublicAttachment struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	URL         string `json:"url,omitempty"`
}

// visible says whether a ticket is the customer's to see: the model's
// rule (ticket.Theirs: theirs, neither spam nor merged away), the same the
// router holds their actions to.
func visible(t helpdesk.Ticket, contactID string) bool {
	return ticket.Theirs(t, contactID) == nil
}

// summarizer turns tickets into their summaries: the settings say which
// stages wait on the customer, agents names who answered.
type summarizer struct {
	set    helpdesk.Settings
	agents map[string]helpdesk.Agent
}

func (z summarizer) summary(t helpdesk.Ticket) TicketSummary {
	out := TicketSummary{ID: t.ID, Subject: t.Subject, State: string(t.State), CreatedAt: t.CreatedAt.UTC(), UpdatedAt: t.UpdatedAt.UTC()}
	if st, ok := z.set.Pipelines[t.Pipeline].Stage(t.Status); ok && t.State == helpdesk.StateOpen {
		out.WaitingOnYou = st.WaitingOnCustomer
	}
	if !t.LastAgentReplyAt.IsZero() {
		at := t.LastAgentReplyAt.UTC()
		out.LastReplyAt, out.LastReplyBy = &at, z.agents[t.LastAgentReplyBy].Name
	}
	return out
}

// summarizer reads what summaries of tickets need: the settings (cached)
// and the agents who last answered them (one batch read), plus extra.
func (a *API) summarizer(ctx context.Context, tickets []helpdesk.Ticket, extra ...string) (summarizer, error) {
	set, err := a.settings(ctx)
	if err != nil {
		return summarizer{}, err
	}
	ids := slices.Clone(extra)
	for _, t := range tickets {
		if t.LastAgentReplyBy != "" && !slices.Contains(ids, t.LastAgentReplyBy) {
			ids = append(ids, t.LastAgentReplyBy)
		}
	}
	agents := map[string]helpdesk.Agent{}
	if len(ids) > 0 {
		if agents, err = a.Store.GetAgents(ctx, ids); err != nil {
			return summarizer{}, err
		}
	}
	return summarizer{set: set, agents: agents}, nil
}

func (a *API) listTickets(w http.ResponseWriter, r *http.Request, s session) error {
	// One status from the enum, or none (all): "status=" or a repeated
	// status is no value of the contract's (schemathesis found "" taken).
	want := "all"
	switch st := r.URL.Query()["status"]; {
	case len(st) == 0:
	case len(st) == 1 && (st[0] == "open" || st[0] == "closed" || st[0] == "all"):
		want = st[0]
	default:
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_status", "status is open, closed or all")
	}
	q, err := readQuery(r)
	if err != nil {
		return err
	}
	tickets, err := a.Store.ContactTickets(r.Context(), s.contactID, maxTickets)
	if err != nil {
		return err
	}
	var shown []helpdesk.Ticket
	for _, t := range tickets {
		if visible(t, s.contactID) && (want == "all" || string(t.State) == want) {
			shown = append(shown, t)
		}
	}
	if q != nil {
		if shown, err = a.search(r.Context(), shown, *q); err != nil {
			return err
		}
	}
	z, err := a.summarizer(r.Context(), shown)
	if err != nil {
		return err
	}
	out := TicketList{Tickets: []TicketSummary{}}
	for _, t := range shown {
		out.Tickets = append(out.Tickets, z.summary(t))
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

var errNoTicket = helpdesk.Errorf(helpdesk.ENotFound, "ticket_not_found", "no such ticket")

func (a *API) getTicket(w http.ResponseWriter, r *http.Request, s session) error {
	id := r.PathValue("id")
	// The header first: another customer's ticket costs one read, and its
	// conversation is never loaded.
	if _, err := a.theirTicket(r.Context(), id, s); err != nil {
		return err
	}
	conv, err := a.Store.GetTicket(r.Context(), id)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return errNoTicket
	}
	if err != nil {
		return err
	}
	// The header again, as read with the conversation shown: a ticket
	// merged away, marked spam or moved to another contact between the two
	// reads is not shown (no I/O: the check costs nothing).
	if !visible(conv.Ticket, s.contactID) {
		return errNoTicket
	}
	// A merged conversation holds the messages of the tickets merged into
	// it, which may be another customer's: only this customer's show. The
	// merged tickets' headers are one batch read (a missing one is not
	// theirs).
	var merged []string
	for _, m := range conv.Messages {
		if m.TicketID != "" && m.TicketID != id && !slices.Contains(merged, m.TicketID) {
			merged = append(merged, m.TicketID)
		}
	}
	theirs := map[string]bool{id: true}
	if len(merged) > 0 {
		headers, err := a.Store.TicketHeaders(r.Context(), merged)
		if err != nil {
			return err
		}
		for _, mid := range merged {
			mt, ok := headers[mid]
			theirs[mid] = ok && mt.ContactID == s.contactID
		}
	}
	var agentIDs []string
	for _, m := range conv.Messages {
		if m.Direction == helpdesk.Outbound && m.AuthorAgentID != "" && !slices.Contains(agentIDs, m.AuthorAgentID) {
			agentIDs = append(agentIDs, m.AuthorAgentID)
		}
	}
	z, err := a.summarizer(r.Context(), []helpdesk.Ticket{conv.Ticket}, agentIDs...)
	if err != nil {
		return err
	}
	agents := z.agents
	page := TicketPage{Ticket: z.summary(conv.Ticket), Messages: []PublicMessage{}}
	if page.Rating, page.CanRate, page.RateUntil, err = a.rateState(r, conv.Ticket, s.contactID); err != nil {
		return err
	}
	for _, m := range conv.Messages {
		if m.TicketID != "" && !theirs[m.TicketID] {
			continue
		}
		pm := PublicMessage{ID: m.ID, Subject: m.Subject, Text: m.Text, CreatedAt: m.CreatedAt.UTC(), Attachments: []PublicAttachment{}}
		switch m.Direction {
		case helpdesk.Inbound:
			pm.From = "customer"
		case helpdesk.Outbound:
			pm.From = "agent"
			pm.AgentName = agents[m.AuthorAgentID].Name
		default: // notes, and whatever else is not the conversation
			continue
		}
		for _, at := range m.Attachments {
			pa := PublicAttachment{Filename: at.Name, ContentType: at.ContentType, Size: at.Size}
			if a.Files != nil && helpdesk.KeptFile(at.Key) {
				// Always offered as a download: a customer's file is never
				// rendered as a page of the portal's.
				if pa.URL, err = a.Files.DownloadURL(r.Context(), at.Key, at.Name, false, fileLinkTTL); err != nil {
					return err
				}
			}
			pm.Attachments = append(pm.Attachments, pa)
		}
		page.Messages = append(page.Messages, pm)
	}
	httpjson.Write(w, http.StatusOK, page)
	return nil
}
