package ticket

// Followers, mentions and telling a ticket's watchers (its owner and
// followers) of what happens on it. Who may be told is decided here, on
// what each person can see: the application reads the people (an
// Audience) and the model keeps out anyone the ticket does not exist for.

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Bounds that keep a change inside one transaction (100 items): a change
// notifies at most the owner, MaxFollowers followers and MaxMentions
// mentioned agents, one item each.
const (
	MaxFollowers = 25
	MaxMentions  = 10
)

// Audience is the people a decision may tell, by agent id, each with what
// they can see: the application reads the ticket's owner and followers (and
// anyone a note mentions) with their membership of the ticket's team. A
// watcher missing from it is not told.
type Audience map[string]helpdesk.Principal

// Watchers are who is told of a ticket's activity: its owner, then its
// followers.
func Watchers(t helpdesk.Ticket) []string {
	var ids []string
	if t.OwnerID != "" {
		ids = append(ids, t.OwnerID)
	}
	for _, f := range t.Followers {
		if !slices.Contains(ids, f) {
			ids = append(ids, f)
		}
	}
	return ids
}

// Follow adds who to t's followers: someone who can see the ticket, while
// it has fewer than MaxFollowers. Following twice changes nothing.
func Follow(t helpdesk.Ticket, who helpdesk.Principal, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	switch {
	case !who.Agent.Active:
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "inactive_user", "user %s is deactivated", who.Agent.ID)
	case !who.CanSee(t):
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "follower_cannot_see", "user %s cannot see ticket %s, so cannot follow it", who.Agent.ID, t.ID)
	case slices.Contains(t.Followers, who.Agent.ID):
		return Change{}, ErrNoChange
	case len(t.Followers) >= MaxFollowers:
		return Change{}, helpdesk.Errorf(helpdesk.EConflict, "too_many_followers", "ticket %s has %d followers, the most it can have", t.ID, MaxFollowers)
	}
	c := update(t, now)
	n := c.Ticket()
	n.Followers = append(n.Followers, who.Agent.ID)
	c.finish(now)
	return c, nil
}

// Unfollow removes agentID from t's followers; not following changes nothing.
func Unfollow(t helpdesk.Ticket, agentID string, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	if !slices.Contains(t.Followers, agentID) {
		return Change{}, ErrNoChange
	}
	c := update(t, now)
	n := c.Ticket()
	n.Followers = slices.DeleteFunc(n.Followers, func(id string) bool { return id == agentID })
	c.finish(now)
	return c, nil
}

// autoFollow makes a note's author a follower, so they hear the answer to
// what they wrote: unless they own the ticket, follow it already, or it has
// no room (then they are simply not added).
func autoFollow(t *helpdesk.Ticket, agentID string) {
	if agentID == "" || agentID == t.OwnerID || slices.Contains(t.Followers, agentID) || len(t.Followers) >= MaxFollowers {
		return
	}
	t.Followers = append(t.Followers, agentID)
}

// checkMentions refuses a mention of someone unknown, deactivated or who
// cannot see t, naming them: a note must not point anyone at a ticket that
// does not exist for them.
func checkMentions(t helpdesk.Ticket, ids []string, aud Audience) error {
	if len(ids) > MaxMentions {
		return helpdesk.Errorf(helpdesk.EInvalid, "too_many_mentions", "a note mentions at most %d people", MaxMentions)
	}
	for _, id := range ids {
		p, ok := aud[id]
		switch {
		case !ok:
			return helpdesk.Errorf(helpdesk.EInvalid, "mention_unknown", "mentioned %q is not a user of the desk", id)
		case !p.Agent.Active:
			return helpdesk.Errorf(helpdesk.EInvalid, "mention_inactive", "mentioned user %s is deactivated", id)
		case !p.CanSee(t):
			return helpdesk.Errorf(helpdesk.EInvalid, "mention_cannot_see", "mentioned user %s cannot see ticket %s", id, t.ID)
		}
	}
	return nil
}

// MentionsIn returns the distinct @names of text, in order: an @ at the
// start or after a space or punctuation (not inside an email address),
// followed by letters, digits, '_', '-' or '.' (a trailing '.' or '-' ends
// the sentence, not the name). At most 4*MaxMentions are returned; the
// application keeps those that name someone.
func MentionsIn(text string) []string {
	var out []string
	rs := []rune(text)
	for i := 0; i < len(rs) && len(out) < 4*MaxMentions; i++ {
		if rs[i] != '@' || i > 0 && (unicode.IsLetter(rs[i-1]) || unicode.IsDigit(rs[i-1]) || strings.ContainsRune("_-.@", rs[i-1])) {
			continue
		}
		j := i + 1
		for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j]) || strings.ContainsRune("_-.", rs[j])) {
			j++
		}
		name := strings.TrimRight(string(rs[i+1:j]), ".-")
		if name != "" && len(name) <= 100 && !slices.Contains(out, name) {
			out = append(out, name)
		}
		i = j - 1
	}
	return out
}

// tellWatchers tells t's watchers who can see it (t as the change leaves
// it) of kind, but not the actor and not anyone this change told already.
// Spam is never notified: its later mail, edits and notes tell nobody.
func (c *Change) tellWatchers(t *helpdesk.Ticket, aud Audience, kind helpdesk.NotificationKind, actor, messageID string, now time.Time) {
	if t.State == helpdesk.StateSpam {
		return
	}
	for _, id := range Watchers(*t) {
		p, ok := aud[id]
		if id == actor || c.told[id] || !ok || !p.CanSee(*t) {
			continue
		}
		c.tell(t, p.Agent, kind, actor, messageID, now)
	}
}

// tell tells agent a of kind on t, in the app and by email as a prefers;
// each person is told once per change.
func (c *Change) tell(t *helpdesk.Ticket, a helpdesk.Agent, kind helpdesk.NotificationKind, actor, messageID string, now time.Time) {
	c.tellSubject(t, a, kind, actor, messageID, emailSubject(t, kind), now)
}

// tellSubject is tell with the email's subject given.
func (c *Change) tellSubject(t *helpdesk.Ticket, a helpdesk.Agent, kind helpdesk.NotificationKind, actor, messageID, subject string, now time.Time) {
	if c.told == nil {
		c.told = map[string]bool{}
	}
	c.told[a.ID] = true
	n := helpdesk.Notification{ID: helpdesk.NewID(), Recipient: helpdesk.AgentRecipient(a.ID), Kind: kind,
		TicketID: t.ID, Subject: t.Subject, At: now, ActorID: actor, MessageID: messageID}
	if a.Notify.InApp(kind) {
		c.Notifications = append(c.Notifications, n)
	}
	if a.Notify.Email(kind) && a.Email != "" && a.Active {
		c.email(n, a, subject)
	}
}

func emailSubject(t *helpdesk.Ticket, kind helpdesk.NotificationKind) string {
	what := map[helpdesk.NotificationKind]string{
		helpdesk.NotifyAssigned:        "assigned to you",
		helpdesk.NotifyMentioned:       "you were mentioned in a note",
		helpdesk.NotifyCustomerMessage: "the customer wrote",
		helpdesk.NotifyNote:            "new internal note",
		helpdesk.NotifyStatus:          "status changed to " + t.Status,
		helpdesk.NotifyCustomerEdit:    "the customer edited a message",
	}[kind]
	return fmt.Sprintf("[#%s] %s: %s", t.ID, what, t.Subject)
}
