package agent

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file serves a ticket's page: the ticket, its contacts, their other
// tickets, and its timeline (messages, notes and activities in one time
// order), paged; every stored file is given as a short-lived signed link.

// conversationStore is what a ticket's page reads.
type conversationStore interface {
	Timeline(ctx context.Context, t helpdesk.Ticket, q helpdesk.TimelineQuery) ([]helpdesk.TimelineEntry, string, error)
	ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error)
	GetContacts(ctx context.Context, ids []string) (map[string]helpdesk.Contact, error)
	GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error)
}

// Files hands out signed links to the desk's stored files (s3files.Links
// on the stack's bucket): the API never carries a file's bytes.
type Files interface {
	// DownloadURL is a GET URL of key valid for ttl, served as name: shown
	// when inline, else offered as a download.
	DownloadURL(ctx context.Context, key, name string, inline bool, ttl time.Duration) (string, error)
	// UploadForm is a presigned POST storing one file under key, of
	// contentType and at most maxSize bytes, with meta, valid for ttl.
	UploadForm(ctx context.Context, key, contentType string, maxSize int64, meta map[string]string, ttl time.Duration) (url string, fields map[string]string, err error)
	// Stat reads a stored file's size, type and metadata; no file is
	// helpdesk.ErrNotFound.
	Stat(ctx context.Context, key string) (size int64, contentType string, meta map[string]string, err error)
}

const (
	// linkTTL is how long a file link works: long enough to open the
	// ticket and click, short enough that a copied link soon dies.
	linkTTL = 5 * time.Minute
	// timelinePage is a timeline page's default size.
	timelinePage = 30
	// otherTickets bounds the contact's other tickets shown.
	otherTickets = 10
)

// TicketView is a ticket's page: the ticket, its contacts (the ticket's
// first, then the authors of the page's messages), the contact's other
// tickets the caller may see (newest first, at most 10), and the first page
// of its timeline, newest first.
type TicketView struct {
	Ticket       helpdesk.Ticket    `json:"ticket"`
	Contacts     []helpdesk.Contact `json:"contacts"`
	OtherTickets []helpdesk.Ticket  `json:"other_tickets"`
	Timeline     TimelinePage       `json:"timeline"`
	// Merged are the tickets merged into this one that the caller may see,
	// as they now are (state merged): their pages redirect here, so this is
	// where an agent reads their subjects and the versions an unmerge's
	// If-Match names.
	Merged []helpdesk.Ticket `json:"merged,omitempty"`
	// Rating is the customer's satisfaction rating, once they gave one
	// (csat.go).
	Rating *helpdesk.Rating `json:"rating,omitempty"`
}

// TimelinePage is one page of a ticket's timeline; Next continues it.
type TimelinePage struct {
	Entries []TimelineItem `json:"entries"`
	Next    string         `json:"next,omitempty"`
}

// TimelineItem is a message, a note or an activity.
type TimelineItem struct {
	Kind     helpdesk.TimelineKind `json:"kind"`
	At       time.Time             `json:"at"`
	Message  *MessageView          `json:"message,omitempty"`
	Activity *helpdesk.Activity    `json:"activity,omitempty"`
}

// MessageView is a message as an agent reads it: who wrote it, on which
// channel, whether it was delivered, its new text apart from the quoted
// history, its sanitised HTML with inline images as links, and its files.
type MessageView struct {
	ID           string                 `json:"id"`
	TicketID     string                 `json:"ticket_id"`
	Direction    helpdesk.Direction     `json:"direction"`
	Channel      ChannelRef             `json:"channel"`
	Author       Author                 `json:"author"`
	Status       helpdesk.MessageStatus `json:"status,omitempty"`
	StatusReason string                 `json:"status_reason,omitempty"`
	StatusAt     time.Time              `json:"status_at,omitzero"`
	Subject      string                 `json:"subject,omitempty"`
	Text         string                 `json:"text"`
	Quoted       string                 `json:"quoted,omitempty"`
	HTML         string                 `json:"html,omitempty"`
	QuotedHTML   string                 `json:"quoted_html,omitempty"`
	Attachments  []AttachmentView       `json:"attachments"`
	ThreadReason string                 `json:"thread_reason,omitempty"`
	CreatedAt    time.Time              `json:"created_at"`
	// Truncated: Text is a snippet of a body too large to keep in the
	// message; BodyURL is a signed GET link to the whole of it (JSON:
	// text, quoted, html, quoted_html), valid until BodyExpiresAt.
	Truncated     bool      `json:"truncated,omitempty"`
	BodyURL       string    `json:"body_url,omitempty"`
	BodyExpiresAt time.Time `json:"body_expires_at,omitzero"`
	// What the customer did to it after (Messenger): edited (its previous
	// texts, oldest first) and reactions, one per reactor.
	EditedAt  time.Time              `json:"edited_at,omitzero"`
	Edits     []helpdesk.MessageEdit `json:"edits,omitempty"`
	Reactions []ReactionView         `json:"reactions,omitempty"`
	// ReplyTo (inbound email): where its sender asked to be answered; To
	// (outbound email): where the reply went; Note: how it was kept.
	ReplyTo []string `json:"reply_to,omitempty"`
	To      []string `json:"to,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// ReactionView is one person's reaction to a message.
type ReactionView struct {
	By       string    `json:"by"` // the reactor's identity on the channel (messenger#<page>#<psid>)
	Emoji    string    `json:"emoji,omitempty"`
	Reaction string    `json:"reaction,omitempty"` // Meta's name of it: love, like, smile, ..., other
	At       time.Time `json:"at"`
}

// ChannelRef names a message's channel.
type ChannelRef struct {
	ID   string               `json:"id"`
	Kind helpdesk.ChannelKind `json:"kind"`
}

// Author is who wrote a message: an agent, a contact, or nobody known.
type Author struct {
	Kind  string `json:"kind"` // "agent", "contact" or "unknown"
	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// AttachmentView is a file of a message; URL is a signed GET link valid
// for a few minutes (absent when the file is not stored: Note says why).
type AttachmentView struct {
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	Inline      bool      `json:"inline,omitempty"`
	URL         string    `json:"url,omitempty"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	Note        string    `json:"note,omitempty"`
}

func (a *API) getTicket(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	t, err := a.visible(r.Context(), p, id)
	if err != nil {
		return err
	}
	if t.State == helpdesk.StateMerged && t.MergedInto != "" {
		redirectMerged(w, t) // merge.go
		return nil
	}
	q := helpdesk.TimelineQuery{Limit: timelinePage}
	entries, next, err := a.Store.Timeline(r.Context(), t, q)
	if err != nil {
		return err
	}
	page, contacts, err := a.render(r.Context(), t, entries)
	if err != nil {
		return err
	}
	if next != "" {
		page.Next = a.sealCursor(next, timelineScope(id, q))
	}
	others, err := a.otherTickets(r.Context(), p, t)
	if err != nil {
		return err
	}
	v := TicketView{Ticket: t, Contacts: contacts, OtherTickets: others, Timeline: page}
	if v.Merged, err = a.mergedTickets(r.Context(), p, t); err != nil {
		return err
	}
	if v.Rating, err = a.ticketRating(r.Context(), t); err != nil {
		return err
	}
	w.Header().Set("ETag", etag(t))
	httpjson.Write(w, http.StatusOK, v)
	return nil
}

// timeline serves a page of a ticket's timeline.
func (a *API) timeline(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	t, err := a.visible(r.Context(), p, id)
	if err != nil {
		return err
	}
	qs := r.URL.Query()
	q := helpdesk.TimelineQuery{Kind: helpdesk.TimelineKind(qs.Get("kind")), Limit: timelinePage}
	if qs.Has("kind") && !q.Kind.Valid() {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_kind", "kind must be message, note or activity")
	}
	switch order := qs.Get("order"); {
	case !qs.Has("order"), order == "newest":
	case order == "oldest":
		q.Oldest = true
	default:
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_order", "order must be newest or oldest")
	}
	if q.Limit, err = readLimit(r, timelinePage, maxPage); err != nil {
		return err
	}
	scope := timelineScope(id, q)
	if q.After, err = a.readCursor(r, scope); err != nil {
		return err
	}
	entries, next, err := a.Store.Timeline(r.Context(), t, q)
	if err != nil {
		return err
	}
	page, _, err := a.render(r.Context(), t, entries)
	if err != nil {
		return err
	}
	if next != "" {
		page.Next = a.sealCursor(next, scope)
	}
	httpjson.Write(w, http.StatusOK, page)
	return nil
}

// timelineScope binds a cursor to its ticket, kind and order.
func timelineScope(id string, q helpdesk.TimelineQuery) string {
	order := "newest"
	if q.Oldest {
		order = "oldest"
	}
	return "timeline|" + id + "|" + string(q.Kind) + "|" + order
}

// otherTickets are the contact's other tickets the caller may see.
func (a *API) otherTickets(ctx context.Context, p helpdesk.Principal, t helpdesk.Ticket) ([]helpdesk.Ticket, error) {
	out := []helpdesk.Ticket{}
	if t.ContactID == "" {
		return out, nil
	}
	// One more than shown: the ticket itself is among them.
	ts, err := a.Store.ContactTickets(ctx, t.ContactID, otherTickets+1)
	if err != nil {
		return nil, err
	}
	for _, o := range ts {
		if o.ID != t.ID && o.State != helpdesk.StateMerged && p.CanSee(o) && len(out) < otherTickets {
			out = append(out, o)
		}
	}
	return out, nil
}

// render turns a page of entries into what the agent reads, and returns
// the contacts involved: the ticket's, then the page's authors.
func (a *API) render(ctx context.Context, t helpdesk.Ticket, entries []helpdesk.TimelineEntry) (TimelinePage, []helpdesk.Contact, error) {
	contactIDs, agentIDs := []string{}, []string{}
	if t.ContactID != "" {
		contactIDs = append(contactIDs, t.ContactID)
	}
	for _, e := range entries {
		if m := e.Message; m != nil {
			if c := authorContact(t, m); c != "" && !slices.Contains(contactIDs, c) {
				contactIDs = append(contactIDs, c)
			}
			if m.AuthorAgentID != "" && !slices.Contains(agentIDs, m.AuthorAgentID) {
				agentIDs = append(agentIDs, m.AuthorAgentID)
			}
		}
	}
	contacts, err := a.Store.GetContacts(ctx, contactIDs)
	if err != nil {
		return TimelinePage{}, nil, err
	}
	agents := map[string]helpdesk.Agent{}
	if len(agentIDs) > 0 {
		if agents, err = a.Store.GetAgents(ctx, agentIDs); err != nil {
			return TimelinePage{}, nil, err
		}
	}
	page := TimelinePage{Entries: make([]TimelineItem, 0, len(entries))}
	for _, e := range entries {
		it := TimelineItem{Kind: e.Kind(), At: e.At(), Activity: e.Activity}
		if e.Message != nil {
			mv, err := a.message(ctx, t, *e.Message, contacts, agents)
			if err != nil {
				return TimelinePage{}, nil, err
			}
			it.Message = &mv
		}
		page.Entries = append(page.Entries, it)
	}
	list := []helpdesk.Contact{}
	for _, id := range contactIDs {
		if c, ok := contacts[id]; ok {
			list = append(list, c)
		}
	}
	return page, list, nil
}

// authorContact is the contact who wrote m: its author, or for a
// customer's message of the ticket itself that names none, its contact.
func authorContact(t helpdesk.Ticket, m *helpdesk.Message) string {
	if m.AuthorContactID != "" {
		return m.AuthorContactID
	}
	if m.Direction == helpdesk.Inbound && m.TicketID == t.ID {
		return t.ContactID
	}
	return ""
}

func (a *API) message(ctx context.Context, t helpdesk.Ticket, m helpdesk.Message, contacts map[string]helpdesk.Contact, agents map[string]helpdesk.Agent) (MessageView, error) {
	v := MessageView{ID: m.ID, TicketID: m.TicketID, Direction: m.Direction, Channel: ChannelRef{ID: m.ChannelID, Kind: m.ChannelKind},
		Author: Author{Kind: "unknown"}, Status: m.Status, StatusReason: m.StatusReason, StatusAt: m.StatusAt,
		Subject: m.Subject, Text: m.Text, Quoted: m.Quoted, ThreadReason: m.ThreadReason, CreatedAt: m.CreatedAt,
		Attachments: make([]AttachmentView, 0, len(m.Attachments)), ReplyTo: m.ReplyTo, To: m.To, Note: m.Note}
	switch {
	case m.AuthorAgentID != "":
		v.Author = Author{Kind: "agent", ID: m.AuthorAgentID, Name: agents[m.AuthorAgentID].Name}
	case authorContact(t, &m) != "":
		id := authorContact(t, &m)
		c := contacts[id]
		v.Author = Author{Kind: "contact", ID: id, Name: c.Name, Email: c.Email}
	}
	inline := map[string]string{} // content id → link
	for _, f := range m.Attachments {
		av := AttachmentView{Name: f.Name, ContentType: f.ContentType, Size: f.Size, Inline: f.Inline, Note: f.Note}
		switch {
		case signable(f.Key) && a.Files != nil:
			u, err := a.Files.DownloadURL(ctx, f.Key, f.Name, f.Inline && f.ContentID != "", linkTTL)
			if err != nil {
				return MessageView{}, err
			}
			av.URL, av.ExpiresAt = u, a.now().Add(linkTTL)
			if f.ContentID != "" {
				inline[strings.ToLower(f.ContentID)] = u
			}
		case f.Key == "" && f.URL != "":
			av.URL = f.URL // a provider's own link (Messenger)
		}
		v.Attachments = append(v.Attachments, av)
	}
	v.HTML = resolveCID(m.HTML, inline)
	v.QuotedHTML = resolveCID(m.QuotedHTML, inline)
	if err := a.bodyLink(ctx, m, &v); err != nil {
		return MessageView{}, err
	}
	v.EditedAt, v.Edits = m.EditedAt, m.Edits
	for _, r := range m.Reactions {
		if !r.Removed {
			v.Reactions = append(v.Reactions, ReactionView{By: r.By, Emoji: r.Emoji, Reaction: r.Reaction, At: r.At})
		}
	}
	return v, nil
}

// signable reports whether a file is stored where the API may sign links:
// email attachments and sent files (attachments/), channel media (media/).
// Anything else (a WhatsApp media id not yet fetched) has no link.
func signable(key string) bool {
	return helpdesk.KeptFile(key)
}

func (a *API) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// cidSrc finds cid: references in sanitised HTML, which quotes every
// attribute value with double quotes.
var cidSrc = regexp.MustCompile(`(?i)(\ssrc=")cid:([^"]*)"`)

// resolveCID points every cid: image of body at the link of the inline
// part with that Content-ID (RFC 2392: the URL is the id, %-encoded). A
// reference to no stored part is left as it is: a broken image, which
// loads nothing.
func resolveCID(body string, links map[string]string) string {
	if len(links) == 0 || !strings.Contains(strings.ToLower(body), "cid:") {
		return body
	}
	return cidSrc.ReplaceAllStringFunc(body, func(s string) string {
		sub := cidSrc.FindStringSubmatch(s)
		ref := html.UnescapeString(sub[2])
		if u, err := url.PathUnescape(ref); err == nil {
			ref = u
		}
		ref = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(ref), "<"), ">")
		link, ok := links[strings.ToLower(ref)]
		if !ok {
			return s
		}
		return sub[1] + html.EscapeString(link) + `"`
	})
}
