package agent

// Mentions, followers and the notification feed: notes that mention
// agents, following and unfollowing a ticket, the signed-in agent's feed
// (their own NOTIFY#agent:<id> partition; a team's feed, whose one read
// mark would be every member's, is not merged into it: the team views
// serve a team's unassigned tickets) and their notification preferences.

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// NotifyStore is what mentions, followers and the feed read and write.
type NotifyStore interface {
	TicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error)
	ListNotifications(ctx context.Context, recipient string, unreadOnly bool, after string, limit int32) ([]helpdesk.Notification, string, error)
	MarkNotificationRead(ctx context.Context, recipient string, at time.Time, id string, now time.Time) error
	MarkNotificationsRead(ctx context.Context, recipient string, upTo, now time.Time, max int) (int, bool, error)
	SetNotifyPrefs(ctx context.Context, agentID string, prefs helpdesk.NotifyPrefs) (helpdesk.Agent, error)
}

// maxMarkRead bounds one "mark all read" (store.MaxMarkRead); more says
// to call again.
const maxMarkRead = 200

// NoteRequest is an internal note; mentions are agent ids (an @id in the
// text that names an agent mentions them too).
type NoteRequest struct {
	Text     string   `json:"text"`
	Mentions []string `json:"mentions"`
}

func (a *API) note(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	id := r.PathValue("id")
	if _, err := a.visible(r.Context(), p, id); err != nil {
		return err
	}
	req, err := readStrict[NoteRequest](r)
	if err != nil {
		return err
	}
	if err := tooLong("text", &req.Text, maxText); err != nil {
		return err
	}
	if len(req.Mentions) > ticket.MaxMentions {
		return helpdesk.Errorf(helpdesk.EInvalid, "too_many_mentions", "a note mentions at most %d people", ticket.MaxMentions)
	}
	for i := range req.Mentions {
		if err := tooLong("mentions", &req.Mentions[i], maxName); err != nil {
			return err
		}
	}
	msg, jobs, err := a.Desk.Note(r.Context(), id, p.Agent.ID, req.Text, req.Mentions)
	if err != nil {
		return err
	}
	// Committed: the relay emails the mentioned if this publish fails.
	if len(jobs) > 0 {
		if err := outbox.Flush(r.Context(), a.Store, a.Outbound, id, jobs); err != nil {
			a.Log.WarnContext(r.Context(), "note committed, publish left to the relay", "ticket_id", id, "error", err)
		}
	}
	httpjson.Write(w, http.StatusCreated, msg)
	return nil
}

// follower is whom a follow or unfollow is for: the caller, or (for those
// who manage the desk) the agent ?agent_id= names.
func follower(r *http.Request, p helpdesk.Principal) (string, error) {
	who := r.URL.Query().Get("agent_id")
	if err := tooLong("agent_id", &who, maxName); err != nil {
		return "", err
	}
	if who == "" || who == p.Agent.ID {
		return p.Agent.ID, nil
	}
	if !p.CanManageSettings() {
		return "", helpdesk.Errorf(helpdesk.EForbidden, "cannot_follow_for_others", "only those who manage the desk add or remove other followers")
	}
	return who, nil
}

// follow makes the caller (or the agent named) a follower of a ticket.
func (a *API) follow(unfollow bool) handler {
	return func(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
		id := r.PathValue("id")
		if _, err := a.visible(r.Context(), p, id); err != nil {
			return err
		}
		who, err := follower(r, p)
		if err != nil {
			return err
		}
		var t helpdesk.Ticket
		if unfollow {
			t, err = a.Desk.Unfollow(r.Context(), id, who)
		} else {
			t, err = a.Desk.Follow(r.Context(), id, who)
		}
		if err != nil {
			return err
		}
		w.Header().Set("ETag", etag(t))
		httpjson.Write(w, http.StatusOK, t)
		return nil
	}
}

// FeedItem is one entry of the caller's feed. ID is opaque: it names the
// entry for POST /api/notifications/{id}/read.
type FeedItem struct {
	ID        string                    `json:"id"`
	Kind      helpdesk.NotificationKind `json:"kind"`
	TicketID  string                    `json:"ticket_id"`
	Subject   string                    `json:"subject"`
	At        time.Time                 `json:"at"`
	Read      bool                      `json:"read"`
	ReadAt    *time.Time                `json:"read_at,omitempty"`
	ActorID   string                    `json:"actor_id,omitempty"`
	MessageID string                    `json:"message_id,omitempty"`
	// EmailStatus and EmailReason say the email about it could not be sent
	// ("failed") and why, so a notification email that was dropped shows.
	EmailStatus string `json:"email_status,omitempty"`
	EmailReason string `json:"email_reason,omitempty"`
}

// FeedPage is one page of the feed; Next, when set, continues it.
type FeedPage struct {
	Notifications []FeedItem `json:"notifications"`
	Next          string     `json:"next,omitempty"`
}

// feedID names a notification for the API: its time and id, which is
// where it sits in the feed.
func feedID(n helpdesk.Notification) string {
	return strconv.FormatInt(n.At.UnixNano(), 10) + "." + n.ID
}

// parseFeedID reads a feedID; anything else is a 404.
func parseFeedID(s string) (time.Time, string, error) {
	notFound := helpdesk.Errorf(helpdesk.ENotFound, "notification_not_found", "no notification %.80q in your feed", s)
	nanos, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || n < 0 || id == "" || len(id) > 64 || strings.ContainsFunc(id, func(r rune) bool {
		return !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return time.Time{}, "", notFound
	}
	return time.Unix(0, n).UTC(), id, nil
}

// listNotifications serves a page of the caller's feed, newest first,
// leaving out notifications about tickets they cannot see (now) or that
// are gone, so a page may hold fewer than asked.
func (a *API) listNotifications(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	q := r.URL.Query()
	limit, err := readLimit(r, defaultPage, maxPage)
	if err != nil {
		return err
	}
	unread := false
	switch q.Get("unread") {
	case "", "false":
	case "true":
		unread = true
	default:
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_unread", "unread must be true or false")
	}
	scope := "notifications|" + p.Agent.ID + "|" + strconv.FormatBool(unread)
	after, err := a.readCursor(r, scope)
	if err != nil {
		return err
	}
	ns, next, err := a.Store.ListNotifications(r.Context(), helpdesk.AgentRecipient(p.Agent.ID), unread, after, int32(limit))
	if err != nil {
		return err
	}
	var ids []string
	for _, n := range ns {
		if !slices.Contains(ids, n.TicketID) {
			ids = append(ids, n.TicketID)
		}
	}
	tickets, err := a.Store.TicketHeaders(r.Context(), ids)
	if err != nil {
		return err
	}
	page := FeedPage{Notifications: []FeedItem{}}
	for _, n := range ns {
		t, ok := tickets[n.TicketID]
		if !ok || !p.CanSee(t) || t.Expired(a.now()) {
			continue
		}
		page.Notifications = append(page.Notifications, FeedItem{ID: feedID(n), Kind: n.Kind, TicketID: n.TicketID,
			Subject: t.Subject, At: n.At, Read: n.ReadAt != nil, ReadAt: n.ReadAt, ActorID: n.ActorID, MessageID: n.MessageID,
			EmailStatus: n.EmailStatus, EmailReason: n.EmailReason})
	}
	if next != "" {
		page.Next = a.sealCursor(next, scope)
	}
	httpjson.Write(w, http.StatusOK, page)
	return nil
}

// markNotificationRead marks one entry of the caller's feed read.
func (a *API) markNotificationRead(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	at, id, err := parseFeedID(r.PathValue("id"))
	if err != nil {
		return err
	}
	err = a.Store.MarkNotificationRead(r.Context(), helpdesk.AgentRecipient(p.Agent.ID), at, id, a.Desk.Now())
	if errors.Is(err, helpdesk.ErrNotFound) {
		return helpdesk.Errorf(helpdesk.ENotFound, "notification_not_found", "no notification %s in your feed", r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MarkedRead says how many notifications were marked read, and whether
// unread ones remain before the time asked (call again).
type MarkedRead struct {
	Marked int  `json:"marked"`
	More   bool `json:"more"`
}

// markAllRead marks the caller's unread notifications read: all of them,
// or those from before ?before=, newest first, up to maxMarkRead a call.
func (a *API) markAllRead(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	upTo := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)
	if q := r.URL.Query(); q.Has("before") {
		s := q.Get("before")
		var err error
		if upTo, err = time.Parse(time.RFC3339Nano, s); err != nil || upTo.Year() < 1 || upTo.Year() > 9999 {
			return helpdesk.Errorf(helpdesk.EInvalid, "invalid_before", "before must be an RFC 3339 time, e.g. 2026-11-30T09:00:00Z")
		}
	}
	n, more, err := a.Store.MarkNotificationsRead(r.Context(), helpdesk.AgentRecipient(p.Agent.ID), upTo, a.Desk.Now(), maxMarkRead)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, MarkedRead{Marked: n, More: more})
	return nil
}

// KindPrefs is how an agent is told of one kind: in the app, by email.
type KindPrefs struct {
	InApp *bool `json:"in_app,omitempty"`
	Email *bool `json:"email,omitempty"`
}

// EmailPrefs is how an agent is told of a kind their feed does not hold
// (a team's new unassigned tickets, in the team's feed): by email or not.
type EmailPrefs struct {
	Email *bool `json:"email,omitempty"`
}

// NotifyPrefs are the signed-in agent's notification preferences; a PUT
// changes what it names and leaves the rest.
type NotifyPrefs struct {
	Assigned        *KindPrefs  `json:"assigned,omitempty"`
	Mentioned       *KindPrefs  `json:"mentioned,omitempty"`
	CustomerMessage *KindPrefs  `json:"customer_message,omitempty"`
	Note            *KindPrefs  `json:"note,omitempty"`
	Status          *KindPrefs  `json:"status,omitempty"`
	CustomerEdit    *KindPrefs  `json:"customer_edit,omitempty"`
	SLAWarning      *KindPrefs  `json:"sla_warning,omitempty"`
	SLABreach       *KindPrefs  `json:"sla_breach,omitempty"`
	TeamUnassigned  *EmailPrefs `json:"team_unassigned,omitempty"`
}

func (n *NotifyPrefs) kinds() map[helpdesk.NotificationKind]**KindPrefs {
	return map[helpdesk.NotificationKind]**KindPrefs{
		helpdesk.NotifyAssigned: &n.Assigned, helpdesk.NotifyMentioned: &n.Mentioned,
		helpdesk.NotifyCustomerMessage: &n.CustomerMessage, helpdesk.NotifyNote: &n.Note, helpdesk.NotifyStatus: &n.Status,
		helpdesk.NotifyCustomerEdit: &n.CustomerEdit, helpdesk.NotifySLAWarning: &n.SLAWarning, helpdesk.NotifySLABreach: &n.SLABreach,
	}
}

func prefsOf(p helpdesk.NotifyPrefs) NotifyPrefs {
	var out NotifyPrefs
	for kind, k := range out.kinds() {
		inApp, email := p.InApp(kind), p.Email(kind)
		*k = &KindPrefs{InApp: &inApp, Email: &email}
	}
	team := p.Email(helpdesk.NotifyTeamUnassigned)
	out.TeamUnassigned = &EmailPrefs{Email: &team}
	return out
}

func (a *API) getNotifyPrefs(w http.ResponseWriter, _ *http.Request, p helpdesk.Principal) error {
	httpjson.Write(w, http.StatusOK, prefsOf(p.Agent.Notify))
	return nil
}

func (a *API) putNotifyPrefs(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	req, err := readStrict[NotifyPrefs](r)
	if err != nil {
		return err
	}
	prefs := p.Agent.Notify
	prefs.MutedInApp = slices.Clone(prefs.MutedInApp)
	for kind, k := range req.kinds() {
		if *k == nil {
			continue
		}
		if e := (*k).Email; e != nil {
			prefs.SetEmail(kind, *e)
		}
		if in := (*k).InApp; in != nil {
			prefs.MutedInApp = slices.DeleteFunc(prefs.MutedInApp, func(m helpdesk.NotificationKind) bool { return m == kind })
			if !*in {
				prefs.MutedInApp = append(prefs.MutedInApp, kind)
			}
		}
	}
	if t := req.TeamUnassigned; t != nil && t.Email != nil {
		prefs.SetEmail(helpdesk.NotifyTeamUnassigned, *t.Email)
	}
	slices.Sort(prefs.MutedInApp)
	agent, err := a.Store.SetNotifyPrefs(r.Context(), p.Agent.ID, prefs)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, prefsOf(agent.Notify))
	return nil
}
