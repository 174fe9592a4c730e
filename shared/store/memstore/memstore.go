// Package memstore is the tenant's table in memory: every method of
// store.Store, with the same semantics, conditions and errors, for tests
// (and local runs) that need no DynamoDB. The contract both keep is
// shared/store/storetest, run against each.
//
// One mutex makes every method atomic, so a Commit is all or nothing and no
// write ever loses to contention. Values go in and come out through the
// DynamoDB item encoding (attributevalue), so a caller reads back what it
// would read from the table (empty sets and maps dropped, string sets in
// DynamoDB Local's order, times as stored), and always its own copy:
// nothing returned or passed in shares memory with what is stored. What
// DynamoDB refuses (a transaction over 100 items or writing an item twice,
// a string set repeating a value) is refused here too.
package memstore

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Store is one tenant's table, in memory. The zero value is not usable; call New.
type Store struct {
	now func() time.Time

	mu            sync.Mutex
	tickets       map[string]helpdesk.Ticket
	conversations map[string]*conversation // a ticket's messages and timeline, by ticket id
	threads       map[string]threadKey     // by key
	dedupes       map[string]dedupeRecord
	clock         helpdesk.DeskClock // clock.go
	contacts      map[string]helpdesk.Contact
	contactKeys   map[string]string // sender key → contact id
	channels      map[string]helpdesk.Channel
	agents        map[string]helpdesk.Agent
	teams         map[string]helpdesk.Team
	loads         map[loadKey]*load
	counters      map[string]int64
	notifications map[string]map[string]helpdesk.Notification // recipient → sort key → notification
	providers     map[string]providerRef                      // channel + provider id → our message
	holds         map[string]*hold                            // channel + sender key → what waits for consent
	settings      *helpdesk.Settings
	snippets      map[string]helpdesk.SavedReply // saved replies, by id (made on first use)
	index         searchIndex                    // the search index (search.go)
	audit         map[string]helpdesk.AuditEntry // by sort key (admin.go)
	views         map[string]helpdesk.View       // saved views, by id (made on first write)

	// filtered mail, by sort key (filtered.go; made on first write)
	filtered    map[string]helpdesk.FilteredMail
	submissions map[string]submissionClaim               // form content fingerprints (submissions.go; made on first use)
	numbers     map[string]string                        // dedupe key → reserved ticket number (numbers.go)
	blocked     map[string]helpdesk.BlockedSender        // by sender key (blocked.go; made on first use)
	portal      *portalState                             // the customer portal's items (portal.go; made on first use)
	ratings     map[string]helpdesk.Rating               // satisfaction ratings by ticket id (csat.go; made on first use)
	slaOutcomes map[string]helpdesk.SLAOutcome           // SLA outcomes by table key (slaoutcome.go; made on first use)
	optOuts     map[string][]helpdesk.CustomerNotifyKind // by contact id (optout.go; made on first use)

	// last portal visit by contact id (portalreads.go; made on first use)
	portalVisits map[string]time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithClock injects the clock used for what the store stamps itself (dedupe
// records, delivery status times, settings writes), like store.WithClock.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns an empty Store.
func New(opts ...Option) *Store {
	s := &Store{
		now:           time.Now,
		tickets:       map[string]helpdesk.Ticket{},
		conversations: map[string]*conversation{},
		threads:       map[string]threadKey{},
		dedupes:       map[string]dedupeRecord{},
		contacts:      map[string]helpdesk.Contact{},
		contactKeys:   map[string]string{},
		channels:      map[string]helpdesk.Channel{},
		agents:        map[string]helpdesk.Agent{},
		teams:         map[string]helpdesk.Team{},
		loads:         map[loadKey]*load{},
		counters:      map[string]int64{},
		notifications: map[string]map[string]helpdesk.Notification{},
		providers:     map[string]providerRef{},
		holds:         map[string]*hold{},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

// conversation is a ticket's partition: its messages and timeline entries,
// by sort key (time, then id), as the table orders them.
type conversation struct {
	messages   map[string]helpdesk.Message
	activities map[string]helpdesk.Activity
}

func (s *Store) conversation(ticketID string) *conversation {
	c := s.conversations[ticketID]
	if c == nil {
		c = &conversation{messages: map[string]helpdesk.Message{}, activities: map[string]helpdesk.Activity{}}
		s.conversations[ticketID] = c
	}
	return c
}

// threadKey points a conversation key at a ticket.
type threadKey struct {
	ticketID string
	created  time.Time // kept as the table keeps it; nothing reads it
}

type dedupeRecord struct {
	ticketID, messageID string
	fingerprint         string // email: the mail's content fingerprint
	appliedAt           time.Time
	expiresAt           int64 // kept, never read: DynamoDB's TTL deletes lazily and reads do not filter
	messageCreated      time.Time
}

// copyOf returns v as it reads back from a DynamoDB item: a deep copy with
// the item encoding's rules.
func copyOf[T any](v T) (T, error) {
	var out T
	av, err := attributevalue.Marshal(v)
	if err != nil {
		return out, fmt.Errorf("encode %T: %w", v, err)
	}
	if err := attributevalue.Unmarshal(av, &out); err != nil {
		return out, fmt.Errorf("decode %T: %w", v, err)
	}
	return out, nil
}

// copyAll copies each value of vs (see copyOf).
func copyAll[T any](vs []T) ([]T, error) {
	if vs == nil {
		return nil, nil
	}
	out := make([]T, len(vs))
	for i, v := range vs {
		c, err := copyOf(v)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// sortTime formats t so that lexical order is time order, as the table's
// sort keys do.
func sortTime(t time.Time) string { return helpdesk.SortTime(t) }

// sortKey orders items in time, then by id (a message's or activity's
// place in its ticket's partition, a notification's in its feed).
func sortKey(at time.Time, id string) string { return sortTime(at) + "#" + id }

// increment adds one to counter name and returns the new value.
func (s *Store) increment(name string) int64 {
	s.counters[name]++
	return s.counters[name]
}

// NextTicketNumber allocates the tenant's next ticket number.
func (s *Store) NextTicketNumber(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strconv.FormatInt(s.increment("tickets"), 10), nil
}

// NextSlot advances a round-robin rotation and returns this pick's slot
// (0 first).
func (s *Store) NextSlot(ctx context.Context, rotation string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.increment("rr#"+rotation) - 1, nil
}
