package memstore

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/store"
)

// searchIndex is the table's search items: term → ticket hits and contact
// hits, and each ticket's record of its indexed term hashes.
type searchIndex struct {
	tickets  map[string]map[store.TicketHit]bool
	contacts map[string]map[store.ContactHit]bool
	records  map[string][]uint32
}

func (x *searchIndex) init() {
	if x.tickets == nil {
		x.tickets = map[string]map[store.TicketHit]bool{}
		x.contacts = map[string]map[store.ContactHit]bool{}
		x.records = map[string][]uint32{}
	}
}

// IndexTicket adds terms of ticket id, each once per ticket and field, and
// returns how many term items it wrote (see store.IndexTicket).
func (s *Store) IndexTicket(ctx context.Context, id string, terms []search.Term) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index.init()
	have := s.index.records[id]
	n := 0
	for _, t := range terms {
		h := store.TermHash(t)
		i, ok := slices.BinarySearch(have, h)
		if ok || len(have) >= search.MaxTermsPerTicket {
			continue
		}
		have = slices.Insert(have, i, h)
		key := t.Text
		if s.index.tickets[key] == nil {
			s.index.tickets[key] = map[store.TicketHit]bool{}
		}
		s.index.tickets[key][store.TicketHit{TicketID: id, Field: t.Field}] = true
		n++
	}
	s.index.records[id] = have
	return n, nil
}

// IndexContact writes a contact's new terms and deletes the removed ones.
func (s *Store) IndexContact(ctx context.Context, contactID string, add, remove []search.Term) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index.init()
	for _, t := range remove {
		delete(s.index.contacts[t.Text], store.ContactHit{ContactID: contactID, Field: t.Field})
	}
	for _, t := range add {
		key := t.Text
		if s.index.contacts[key] == nil {
			s.index.contacts[key] = map[store.ContactHit]bool{}
		}
		s.index.contacts[key][store.ContactHit{ContactID: contactID, Field: t.Field}] = true
	}
	return nil
}

// FindTickets returns up to limit tickets under term, newest (highest
// number) first, then by field, as the table's sort key orders them.
func (s *Store) FindTickets(ctx context.Context, term string, limit int32) ([]store.TicketHit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index.init()
	var hits []store.TicketHit
	for h := range s.index.tickets[term] {
		hits = append(hits, h)
	}
	num := func(id string) int64 { n, _ := strconv.ParseInt(id, 10, 64); return n }
	slices.SortFunc(hits, func(a, b store.TicketHit) int {
		if na, nb := num(a.TicketID), num(b.TicketID); na != nb {
			if na > nb {
				return -1
			}
			return 1
		}
		return strings.Compare(string(a.Field), string(b.Field))
	})
	return hits[:min(len(hits), int(limit))], nil
}

// FindContacts returns up to limit contacts under term, by contact id.
func (s *Store) FindContacts(ctx context.Context, term string, limit int32) ([]store.ContactHit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index.init()
	var hits []store.ContactHit
	for h := range s.index.contacts[term] {
		hits = append(hits, h)
	}
	slices.SortFunc(hits, func(a, b store.ContactHit) int {
		return strings.Compare(a.ContactID+"#"+string(a.Field), b.ContactID+"#"+string(b.Field))
	})
	return hits[:min(len(hits), int(limit))], nil
}

// GetTicketHeaders reads tickets by id; missing ones are left out.
func (s *Store) GetTicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]helpdesk.Ticket{}
	for _, id := range ids {
		if t, ok := s.tickets[id]; ok {
			c, err := copyOf(t)
			if err != nil {
				return nil, err
			}
			out[id] = c
		}
	}
	return out, nil
}

// GetContacts reads contacts by id; missing ones are left out.
func (s *Store) GetContacts(ctx context.Context, ids []string) (map[string]helpdesk.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]helpdesk.Contact{}
	for _, id := range ids {
		if c, ok := s.contacts[id]; ok {
			cc, err := copyOf(c)
			if err != nil {
				return nil, err
			}
			out[id] = cc
		}
	}
	return out, nil
}

// ContactTickets returns up to limit of a contact's tickets, newest first.
func (s *Store) ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var in []helpdesk.Ticket
	for _, t := range s.tickets {
		if t.ContactID == contactID {
			in = append(in, t)
		}
	}
	slices.SortFunc(in, func(a, b helpdesk.Ticket) int {
		return strings.Compare(sortKey(b.CreatedAt, b.ID), sortKey(a.CreatedAt, a.ID))
	})
	return copyAll(in[:min(len(in), int(limit))])
}

// ListContacts returns up to limit contacts, newest first, after the
// position after, and the position to continue from.
func (s *Store) ListContacts(ctx context.Context, after string, limit int32) ([]helpdesk.Contact, string, error) {
	if after != "" {
		if _, ok := store.ParseViewCursor(after, false); !ok {
			return nil, "", store.ErrInvalidCursor
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var in []helpdesk.Contact
	for _, c := range s.contacts {
		if after == "" || sortKey(c.CreatedAt, c.ID) < after {
			in = append(in, c)
		}
	}
	slices.SortFunc(in, func(a, b helpdesk.Contact) int {
		return strings.Compare(sortKey(b.CreatedAt, b.ID), sortKey(a.CreatedAt, a.ID))
	})
	next := ""
	if len(in) > int(limit) {
		in = in[:limit]
	}
	if len(in) == int(limit) && limit > 0 {
		// DynamoDB gives a position whenever a page is full.
		last := in[len(in)-1]
		next = sortKey(last.CreatedAt, last.ID)
	}
	out, err := copyAll(in)
	return out, next, err
}

// UpdateContact replaces contact before (as read) with after, keeping the
// lookups of email and phone unique (see store.UpdateContact).
func (s *Store) UpdateContact(ctx context.Context, before, after helpdesk.Contact) error {
	c, err := copyOf(after)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.contacts[after.ID]
	if !ok || cur.Version != before.Version {
		return fmt.Errorf("update contact %s: %w", after.ID, store.ErrVersionChanged)
	}
	oldKeys, newKeys := store.ContactLookupKeys(before), store.ContactLookupKeys(after)
	for _, k := range newKeys {
		if id, taken := s.contactKeys[k]; taken && id != after.ID {
			return fmt.Errorf("update contact %s: %w", after.ID, store.ErrContactKeyTaken)
		}
	}
	for _, k := range oldKeys {
		if !slices.Contains(newKeys, k) && s.contactKeys[k] == after.ID {
			delete(s.contactKeys, k)
		}
	}
	for _, k := range newKeys {
		s.contactKeys[k] = after.ID
	}
	s.contacts[after.ID] = c
	return nil
}
