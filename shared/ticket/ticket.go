// Package ticket is the ticket model: the one place that decides how a
// ticket changes. Each decision (open, append, reply, note, assign, status,
// properties, spam, merge, delete) takes the current state, the settings and
// the clock and returns a Change: the tickets' new state and every effect
// that goes with it (messages, timeline entries, notifications, queued jobs,
// thread keys, load counters). A store writes a Change in one transaction and
// decides nothing; the application reads, asks the model, and commits.
//
// The package is pure: no I/O, no AWS, no clock of its own.
package ticket

import (
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
)

// Change is everything one decision writes, atomically.
type Change struct {
	// Tickets are the tickets written. Before is the state the decision read
	// (the write is conditioned on its version; nil creates the ticket) and
	// After the new state (nil deletes the ticket).
	Tickets       []Write
	Messages      []helpdesk.Message
	Activities    []helpdesk.Activity
	Notifications []helpdesk.Notification
	// Jobs are queue jobs (id → encoded job) committed in the first ticket's
	// outbox and published after the commit.
	Jobs map[string]string
	// ThreadKeys are conversation keys to point at a ticket, or to remove.
	ThreadKeys []ThreadKey
	// Loads keep every agent's open-ticket counters exact.
	Loads []LoadChange

	// Revisions rewrite messages stored already (a customer's edit or
	// reaction), each conditioned on the revision its decision read.
	Revisions []Revision

	// Moves move messages stored already into another ticket's partition
	// (a split, an unmerge): each deleted where it was read, unchanged, and
	// put under its new ticket (split.go).
	Moves []Move

	// SLAOutcomes are the SLA targets this change decided (met or
	// breached), each recorded once as its own item (slaoutcome.go).
	SLAOutcomes []helpdesk.SLAOutcome

	// Set by the application, not the model: what else the same transaction
	// records about the message that caused the change.
	Dedupe  *Dedupe     // the provider message is applied (exactly once)
	Contact *NewContact // the message's author, created with the change
	// ContactUpdate edits the author's contact with the change (a changed
	// number): the contact at the version read, and new lookup keys.
	ContactUpdate *ContactUpdate

	told map[string]bool // agents this decision notified: once each

	// set is the settings the decision read (nil: it needs none), for the
	// SLA bookkeeping of finish; slaBase is each ticket's SLA as the
	// decision found it (sla.go).
	set     *helpdesk.Settings
	slaBase map[string]*helpdesk.SLA
}

// Write is one ticket's transition.
type Write struct {
	Before *helpdesk.Ticket
	After  *helpdesk.Ticket
}

// ThreadKey points a conversation key at a ticket. Repoint, when set, moves
// a key that belongs to that ticket (a merge); otherwise the key must be
// free or already this ticket's. Remove deletes a key of TicketID.
type ThreadKey struct {
	Key      string
	TicketID string
	Repoint  string
	Remove   bool
	// ExpiresAt is the spam expiry of the ticket it leads to (its TTL).
	ExpiresAt int64
}

// LoadChange is one ±1 on an agent's count of open tickets of one type,
// in the bucket of the UTC day the ticket was assigned.
type LoadChange struct {
	AgentID string
	Type    helpdesk.TicketType
	Day     int64
	Delta   int
	// Expect conditions the write on the load the routing decision read, so
	// a load-balanced pick is only kept if nobody changed that load since.
	Expect *routing.Load
}

// Dedupe records that a provider message was applied, and where.
type Dedupe struct {
	Key       string
	TicketID  string
	MessageID string
	// Fingerprint (email) is the mail's content fingerprint: the same
	// Message-ID with another fingerprint is another mail. Empty on records
	// written before it was kept (taken as the same mail).
	Fingerprint string
}

// NewContact is a contact created with the change, with its lookup key.
type NewContact struct {
	Contact helpdesk.Contact
	Key     string // helpdesk.Sender.Key of the channel
}

// Ticket returns the new state of the change's first ticket.
func (c Change) Ticket() *helpdesk.Ticket {
	if len(c.Tickets) == 0 {
		return nil
	}
	return c.Tickets[0].After
}

// Errors a store reports when a Change cannot be written as decided; they
// are part of the store contract, so every store returns these values
// (wrapped) and callers compare with errors.Is.
var (
	// ErrDuplicate: the dedupe record (or the message) exists: applied before.
	ErrDuplicate = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "duplicate", Message: "message already applied"}
	// ErrThreadTaken: another ticket owns one of the thread keys.
	ErrThreadTaken = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "thread_taken", Message: "thread key already belongs to a ticket"}
	// ErrContactTaken: another writer created the contact for this sender first.
	ErrContactTaken = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "contact_taken", Message: "contact already exists for this sender"}
	// ErrContention: a concurrent transaction touched the same items; retry.
	ErrContention = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "contention", Message: "concurrent update, retry"}
	// ErrLoadChanged: the picked agent's load changed since it was read; decide again.
	ErrLoadChanged = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "load_changed", Message: "the agent's load changed, decide again"}
	// ErrVersionChanged: a ticket changed (or appeared) since it was read.
	ErrVersionChanged = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "version_changed", Message: "the ticket changed, retry"}
)

// ErrNoChange is returned by a decision that has nothing to write.
var ErrNoChange = errors.New("no change")

// Lost reports whether err means another writer got there first, so the
// caller should read again and decide again.
func Lost(err error) bool {
	for _, e := range []error{ErrVersionChanged, ErrContention, ErrThreadTaken, ErrContactTaken, ErrDuplicate, ErrLoadChanged} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// next starts a change of t: a copy with the version bumped, the copy's
// slices and maps its own, so the decision never edits what was read.
func next(t helpdesk.Ticket, now time.Time) *helpdesk.Ticket {
	n := t
	n.Participants = slices.Clone(t.Participants)
	n.MergedFrom = slices.Clone(t.MergedFrom)
	n.ThreadKeys = slices.Clone(t.ThreadKeys)
	n.Followers = slices.Clone(t.Followers)
	n.Outbox = maps.Clone(t.Outbox)
	n.SLA = t.SLA.Clone()
	n.Version = t.Version + 1
	n.UpdatedAt = now
	return &n
}

// update is a change of one existing ticket.
func update(before helpdesk.Ticket, now time.Time) Change {
	b := before
	return Change{Tickets: []Write{{Before: &b, After: next(before, now)}}}
}

// finish completes a change once its tickets are decided: the jobs go into
// the first ticket's outbox, and the load counters follow every ticket's
// move in or out of its owner's count.
func (c *Change) finish(now time.Time) {
	if t := c.Ticket(); t != nil && len(c.Jobs) > 0 {
		if t.Outbox == nil {
			t.Outbox = map[string]string{}
		}
		maps.Copy(t.Outbox, c.Jobs)
		t.OutboxAt = now
	}
	c.Loads = nil
	for _, w := range c.Tickets {
		c.Loads = append(c.Loads, Loads(w.Before, w.After, now)...)
	}
	c.spamExpiry(now)
	c.lastAgentReply()
	c.sla(now)
	c.slaOutcomes(now)
}

// lastAgentReply records on each ticket of the change the newest agent
// reply the change adds to it (an outbound message an agent wrote: not an
// automatic greeting, a notice or a note). Here, once for every decision,
// so no way of answering a customer can forget it.
func (c *Change) lastAgentReply() {
	for _, w := range c.Tickets {
		t := w.After
		if t == nil {
			continue
		}
		for _, m := range c.Messages {
			if m.TicketID == t.ID && m.Direction == helpdesk.Outbound && m.AuthorAgentID != "" && !m.CreatedAt.Before(t.LastAgentReplyAt) {
				t.LastAgentReplyAt, t.LastAgentReplyBy = m.CreatedAt.UTC(), m.AuthorAgentID
			}
		}
	}
}

// spamExpiry gives every spam ticket of the change its expiry (the TTL
// that purges it SpamKeepDays after it went to spam) and takes it off every
// other, and stamps the messages and activities the change adds to a spam
// ticket with it. Here, once for every decision, so none that moves a
// ticket in or out of spam can forget it.
func (c *Change) spamExpiry(now time.Time) {
	exp := map[string]int64{}
	for _, w := range c.Tickets {
		t := w.After
		if t == nil {
			continue
		}
		t.ExpiresAt = 0
		if t.State == helpdesk.StateSpam {
			if t.SpamAt.IsZero() {
				t.SpamAt = now // spam from before SpamAt was kept: from now on
			}
			t.ExpiresAt = t.SpamAt.Add(helpdesk.SpamKeepDays * 24 * time.Hour).Unix()
		}
		exp[t.ID] = t.ExpiresAt
	}
	for i := range c.Messages {
		if e, ok := exp[c.Messages[i].TicketID]; ok {
			c.Messages[i].ExpiresAt = e
		}
	}
	for i := range c.Activities {
		if e, ok := exp[c.Activities[i].TicketID]; ok {
			c.Activities[i].ExpiresAt = e
		}
	}
	for i, k := range c.ThreadKeys {
		if e, ok := exp[k.TicketID]; ok && !k.Remove {
			c.ThreadKeys[i].ExpiresAt = e
		}
	}
}

// Loads compares a ticket before and after a change (nil = absent) and
// returns the load adjustments that keep every count exact: an open, owned
// ticket assigned within the load window counts once, in its owner's bucket
// of the day it was assigned.
func Loads(before, after *helpdesk.Ticket, now time.Time) []LoadChange {
	var out []LoadChange
	if before != nil && before.Counted(now) {
		out = append(out, LoadChange{AgentID: before.OwnerID, Type: before.Type, Day: helpdesk.DayNumber(before.AssignedAt), Delta: -1})
	}
	if after != nil && after.Counted(now) {
		c := LoadChange{AgentID: after.OwnerID, Type: after.Type, Day: helpdesk.DayNumber(after.AssignedAt), Delta: +1}
		if len(out) == 1 && out[0].AgentID == c.AgentID && out[0].Type == c.Type && out[0].Day == c.Day {
			return nil // still counted in the same place
		}
		out = append(out, c)
	}
	return out
}

func activity(t *helpdesk.Ticket, kind helpdesk.ActivityKind, actor string, now time.Time, from, to string) helpdesk.Activity {
	return helpdesk.Activity{ID: helpdesk.NewID(), TicketID: t.ID, Kind: kind, ActorID: actor, At: now, From: from, To: to}
}

// notMerged refuses to change a ticket that was merged into another.
func notMerged(t helpdesk.Ticket) error {
	if t.State == helpdesk.StateMerged {
		return helpdesk.Errorf(helpdesk.EConflict, "ticket_merged", "ticket %s was merged into %s", t.ID, t.MergedInto)
	}
	return nil
}

// addKeys adds thread keys to t (once each) and to the change.
func (c *Change) addKeys(t *helpdesk.Ticket, keys []string) {
	for _, k := range distinct(keys) {
		if k == "" || slices.Contains(t.ThreadKeys, k) {
			continue
		}
		t.ThreadKeys = append(t.ThreadKeys, k)
		c.ThreadKeys = append(c.ThreadKeys, ThreadKey{Key: k, TicketID: t.ID})
	}
}

// distinct drops repeated keys: a mail may name one id twice, and a store
// cannot write one item twice in a transaction.
func distinct(keys []string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return slices.Compact(out)
}

// ContactActor is the actor recorded when a customer's message changes a ticket.
func ContactActor(contactID string) string { return "contact:" + contactID }

// LoadItem is what a change does to one agent's load of one ticket type:
// stores keep that in one item, which a transaction may write only once.
type LoadItem struct {
	AgentID string
	Type    helpdesk.TicketType
	Days    map[int64]int // UTC day number → delta
	// Expect is the reading a +1 of a routing decision is conditioned on.
	Expect *routing.Load
}

// LoadItems groups a change's load changes by the item they update (a
// ticket moved to another team keeps its owner but is assigned again
// today: −1 on its old day and +1 on today, both on one item).
func (c Change) LoadItems() []LoadItem {
	type key struct {
		agent string
		typ   helpdesk.TicketType
	}
	byKey := map[key]*LoadItem{}
	var out []*LoadItem
	for _, l := range c.Loads {
		k := key{l.AgentID, l.Type}
		it := byKey[k]
		if it == nil {
			it = &LoadItem{AgentID: l.AgentID, Type: l.Type, Days: map[int64]int{}}
			byKey[k] = it
			out = append(out, it)
		}
		it.Days[l.Day] += l.Delta
		if l.Expect != nil && l.Delta > 0 {
			it.Expect = l.Expect
		}
	}
	items := make([]LoadItem, len(out))
	for i, it := range out {
		items[i] = *it
	}
	return items
}

// EachMerged visits ticket id and, recursively, every ticket merged into it
// (MergedFrom), each once: a merged ticket's conversation is theirs too.
// visit returns the tickets merged into the one it visited.
func EachMerged(id string, visit func(id string) (mergedFrom []string, err error)) error {
	pending := []string{id}
	for seen := map[string]bool{}; len(pending) > 0; {
		next := pending[0]
		pending = pending[1:]
		if seen[next] {
			continue
		}
		seen[next] = true
		merged, err := visit(next)
		if err != nil {
			return err
		}
		pending = append(pending, merged...)
	}
	return nil
}
