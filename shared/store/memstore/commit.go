package memstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// maxTransactItems is DynamoDB's limit on one transaction, which the
// DynamoDB store enforces on a change: a change the table would refuse is
// refused here too.
const maxTransactItems = 100

// errCancelled is a change refused for a condition the store contract does
// not name (a timeline entry, a notification or a contact id that exists
// already): the DynamoDB store reports the cancelled transaction as it is.
var errCancelled = errors.New("transaction cancelled: an item the change creates exists already")

// Commit writes a change the ticket model decided, all or nothing: every
// condition is checked first (each ticket at the version its decision read,
// or absent when new; messages, timeline entries, notifications, the dedupe
// record and a new contact absent; a revised message at the revision
// read; thread keys free or the ticket's (the merged ticket's, for a
// merge); a routing decision's load unchanged), then everything is
// written, or nothing. A refused change returns what the DynamoDB store returns for
// the same failure, in the same order of precedence. A deleted ticket's
// conversation goes with it.
func (s *Store) Commit(ctx context.Context, c ticket.Change) error {
	w, err := copyChange(c)
	if err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if n := items(c); n > maxTransactItems {
		return helpdesk.Errorf(helpdesk.EInvalid, "change_too_large", "the change writes %d items, more than the %d one transaction takes", n, maxTransactItems)
	}
	if item, twice := twice(c); twice {
		// DynamoDB refuses such a transaction before any condition.
		return fmt.Errorf("commit %s: invalid transaction: it writes item %s twice", describe(c), item)
	}
	for _, t := range w.Tickets {
		if t.After == nil {
			continue
		}
		if err := validSets(*t.After); err != nil {
			return fmt.Errorf("commit %s: %w", describe(c), err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.check(c); err != nil {
		return fmt.Errorf("commit %s: %w", describe(c), err)
	}
	s.apply(w)
	return nil
}

// copyChange copies what a change stores, so the caller keeps its values.
func copyChange(c ticket.Change) (ticket.Change, error) {
	w := c
	w.Tickets = make([]ticket.Write, len(c.Tickets))
	for i, t := range c.Tickets {
		w.Tickets[i].Before = t.Before
		if t.After != nil {
			a, err := copyOf(*t.After)
			if err != nil {
				return w, err
			}
			// Participants and thread keys are string sets, which DynamoDB
			// gives back in an order of its own (DynamoDB Local: sorted).
			slices.Sort(a.Participants)
			slices.Sort(a.ThreadKeys)
			slices.Sort(a.Followers)
			w.Tickets[i].After = &a
		}
	}
	var err error
	if w.Messages, err = copyAll(c.Messages); err != nil {
		return w, err
	}
	if w.Activities, err = copyAll(c.Activities); err != nil {
		return w, err
	}
	if w.Notifications, err = copyAll(c.Notifications); err != nil {
		return w, err
	}
	if w.Revisions, err = copyAll(c.Revisions); err != nil {
		return w, err
	}
	if w.SLAOutcomes, err = copyAll(c.SLAOutcomes); err != nil {
		return w, err
	}
	if c.Contact != nil {
		nc := *c.Contact
		if nc.Contact, err = copyOf(c.Contact.Contact); err != nil {
			return w, err
		}
		w.Contact = &nc
	}
	if c.ContactUpdate != nil {
		u := *c.ContactUpdate
		if u.After, err = copyOf(c.ContactUpdate.After); err != nil {
			return w, err
		}
		w.ContactUpdate = &u
	}
	return w, nil
}

// validSets refuses a ticket whose string sets (participants, thread keys,
// sorted) repeat a value, as DynamoDB does.
func validSets(t helpdesk.Ticket) error {
	for name, set := range map[string][]string{"participants": t.Participants, "threadKeys": t.ThreadKeys, "followers": t.Followers} {
		for i := 1; i < len(set); i++ {
			if set[i] == set[i-1] {
				return fmt.Errorf("invalid ticket %s: its %s set holds %q twice", t.ID, name, set[i])
			}
		}
	}
	return nil
}

// items counts the items a change writes, as the DynamoDB store does.
func items(c ticket.Change) int {
	n := len(c.Tickets) + len(c.Messages) + len(c.Revisions) + len(c.ThreadKeys) + len(c.LoadItems()) + len(c.Activities) + len(c.Notifications) + len(c.SLAOutcomes)
	if c.Dedupe != nil {
		n++
	}
	if c.Contact != nil {
		n += 2 // the contact and its lookup key
	}
	return n + contactUpdateItems(c) + moveItems(c)
}

// twice reports an item a change writes more than once, by its table key.
func twice(c ticket.Change) (string, bool) {
	var keys []string
	for _, w := range c.Tickets {
		t := w.After
		if t == nil {
			t = w.Before
		}
		keys = append(keys, "TICKET#"+t.ID)
	}
	for _, m := range c.Messages {
		keys = append(keys, "TICKET#"+m.TicketID+"/MSG#"+sortKey(m.CreatedAt, m.ID))
	}
	keys = append(keys, revisionKeys(c)...)
	keys = append(keys, moveKeys(c)...) // split.go
	if c.Dedupe != nil {
		keys = append(keys, "DEDUPE#"+c.Dedupe.Key)
	}
	if c.Contact != nil {
		keys = append(keys, "CONTACT#"+c.Contact.Contact.ID, "CONTACTKEY#"+c.Contact.Key)
	}
	keys = append(keys, contactUpdateKeys(c)...)
	for _, k := range c.ThreadKeys {
		keys = append(keys, "THREAD#"+k.Key)
	}
	for _, l := range c.LoadItems() {
		keys = append(keys, "AGENT#"+l.AgentID+"/LOAD#"+string(l.Type))
	}
	for _, a := range c.Activities {
		keys = append(keys, "TICKET#"+a.TicketID+"/ACT#"+sortKey(a.At, a.ID))
	}
	for _, n := range c.Notifications {
		keys = append(keys, "NOTIFY#"+n.Recipient+"/"+sortKey(n.At, n.ID))
	}
	for _, o := range c.SLAOutcomes {
		keys = append(keys, slaOutcomeKey(o))
	}
	seen := make(map[string]bool, len(keys))
	for _, k := range keys {
		if seen[k] {
			return k, true
		}
		seen[k] = true
	}
	return "", false
}

// check evaluates every condition of c and returns the error the DynamoDB
// store's explanation of a cancelled transaction gives (store.Commit):
// duplicate first, then thread, contact, load and ticket version.
func (s *Store) check(c ticket.Change) error {
	var duplicate, thread, contact, load, version, other bool
	for _, w := range c.Tickets {
		switch cur, ok := s.tickets[ticketID(w)]; {
		case w.Before == nil:
			version = version || ok
		default:
			version = version || !ok || cur.Version != w.Before.Version
		}
	}
	for _, m := range c.Messages {
		if conv := s.conversations[m.TicketID]; conv != nil {
			_, exists := conv.messages[sortKey(m.CreatedAt, m.ID)]
			duplicate = duplicate || exists
		}
	}
	if d := c.Dedupe; d != nil {
		_, exists := s.dedupes[d.Key]
		duplicate = duplicate || exists
	}
	if nc := c.Contact; nc != nil {
		_, exists := s.contacts[nc.Contact.ID]
		other = other || exists
		_, exists = s.contactKeys[nc.Key]
		contact = contact || exists
	}
	taken, changed := s.checkContactUpdate(c)
	contact, version = contact || taken, version || changed || s.revisedSince(c) || s.movedSince(c) || s.outcomeRecorded(c)
	for _, k := range c.ThreadKeys {
		cur, exists := s.threads[k.Key]
		allowed := k.TicketID
		if k.Repoint != "" && !k.Remove {
			allowed = k.Repoint
		}
		thread = thread || (exists && cur.ticketID != allowed)
	}
	for _, l := range c.LoadItems() {
		if l.Expect == nil {
			continue
		}
		if cur := s.loads[loadKey{l.AgentID, l.Type}]; cur != nil && cur.version != l.Expect.Version {
			load = true
		}
	}
	for _, a := range c.Activities {
		if conv := s.conversations[a.TicketID]; conv != nil {
			_, exists := conv.activities[sortKey(a.At, a.ID)]
			other = other || exists
		}
	}
	for _, n := range c.Notifications {
		_, exists := s.notifications[n.Recipient][sortKey(n.At, n.ID)]
		other = other || exists
	}
	switch {
	case duplicate:
		return ticket.ErrDuplicate
	case thread:
		return ticket.ErrThreadTaken
	case contact:
		return ticket.ErrContactTaken
	case load:
		return ticket.ErrLoadChanged
	case version:
		return ticket.ErrVersionChanged
	case other:
		return errCancelled
	}
	return nil
}

// apply writes a change whose conditions hold.
func (s *Store) apply(c ticket.Change) {
	for _, w := range c.Tickets {
		if w.After == nil {
			delete(s.tickets, w.Before.ID)
			continue
		}
		s.tickets[w.After.ID] = *w.After
	}
	for _, m := range c.Messages {
		s.conversation(m.TicketID).messages[sortKey(m.CreatedAt, m.ID)] = m
	}
	s.applyRevisions(c)
	s.applyMoves(c) // split.go
	if d := c.Dedupe; d != nil {
		now := s.now()
		s.dedupes[d.Key] = dedupeRecord{ticketID: d.TicketID, messageID: d.MessageID, fingerprint: d.Fingerprint, appliedAt: now,
			expiresAt: now.Add(store.DedupeTTL).Unix(), messageCreated: createdOf(d.MessageID, c.Messages)}
	}
	if nc := c.Contact; nc != nil {
		s.contacts[nc.Contact.ID] = nc.Contact
		s.contactKeys[nc.Key] = nc.Contact.ID
	}
	s.applyContactUpdate(c)
	for _, k := range c.ThreadKeys {
		if k.Remove {
			delete(s.threads, k.Key)
			continue
		}
		s.threads[k.Key] = threadKey{ticketID: k.TicketID, created: s.now()}
	}
	for _, l := range c.LoadItems() {
		s.addLoad(l)
	}
	for _, a := range c.Activities {
		s.conversation(a.TicketID).activities[sortKey(a.At, a.ID)] = a
	}
	s.applySLAOutcomes(c) // slaoutcome.go
	for _, n := range c.Notifications {
		feed := s.notifications[n.Recipient]
		if feed == nil {
			feed = map[string]helpdesk.Notification{}
			s.notifications[n.Recipient] = feed
		}
		feed[sortKey(n.At, n.ID)] = n
	}
	for _, w := range c.Tickets {
		if w.After == nil {
			delete(s.conversations, w.Before.ID)
		}
	}
}

func ticketID(w ticket.Write) string {
	if w.After != nil {
		return w.After.ID
	}
	return w.Before.ID
}

// describe names the tickets of a change, for errors.
func describe(c ticket.Change) string {
	ids := make([]string, 0, len(c.Tickets))
	for _, w := range c.Tickets {
		ids = append(ids, "ticket "+ticketID(w))
	}
	return strings.Join(ids, ", ")
}

// loadKey is an agent's load item: one per ticket type.
type loadKey struct {
	agentID string
	typ     helpdesk.TicketType
}

// load is an agent's count of open tickets per UTC day of assignment, and
// the version every change of it increments.
type load struct {
	version int64
	days    map[int64]int
}

// bucketPrefix names a day's count in the table ("d<day number>"), the
// names routing.Load.Expired carries.
const bucketPrefix = "d"

// addLoad applies the changes of one load item: its day buckets, its
// version bumped once. An item a routing decision expects drops the day
// buckets its reading found expired.
func (s *Store) addLoad(c ticket.LoadItem) {
	k := loadKey{c.AgentID, c.Type}
	l := s.loads[k]
	if l == nil {
		l = &load{days: map[int64]int{}}
		s.loads[k] = l
	}
	l.version++
	for day, delta := range c.Days {
		l.days[day] += delta
	}
	if c.Expect == nil {
		return
	}
	for _, name := range c.Expect.Expired {
		day, err := strconv.ParseInt(strings.TrimPrefix(name, bucketPrefix), 10, 64)
		if _, written := c.Days[day]; err != nil || !strings.HasPrefix(name, bucketPrefix) || written {
			continue
		}
		delete(l.days, day)
	}
}
