// Package purge is the delete and spam cascade: everything of one ticket
// removed, a bounded page at a time, each step idempotent so a run that
// dies halfway is finished by the next one, and each step confined to that
// ticket's own keys (its partition, the thread keys still leading to it,
// its term items, the files its messages name).
//
// Order matters for re-runs: a page's files and search terms go before the
// page's items (which name them), the thread keys and the ticket item
// (through the ticket model's Delete, which also gives back its share of
// the load counters) after the whole partition, and the ticket's record of
// indexed terms last.
package purge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Store is what the cascade reads and deletes (store.Store, memstore).
type Store interface {
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	Commit(ctx context.Context, c ticket.Change) error
	TicketRemains(ctx context.Context, id, after string, limit int32) (store.RemainsPage, error)
	DeleteTicketRemains(ctx context.Context, id string, sks []string) error
	RemoveThreadKeys(ctx context.Context, id string, keys []string) error
	UnindexTicket(ctx context.Context, id string, terms []search.Term) (int, error)
	DeleteTermsRecord(ctx context.Context, id string) error
	RemoveNotifications(ctx context.Context, recipient, id string, since time.Time) (int, error)
	DeleteRating(ctx context.Context, ticketID string) error
	DeleteSLAOutcomes(ctx context.Context, ticketID string) error
}

// Files deletes objects of the bucket; a key already gone is no error
// (s3files.Remover).
type Files interface {
	Delete(ctx context.Context, keys []string) error
}

// Service runs the cascade.
type Service struct {
	Store Store
	Files Files
	Now   func() time.Time
	Log   *slog.Logger
	// PageSize bounds the items read (and deleted) a round; 0: 100.
	PageSize int32
}

// maxRounds bounds re-reads of a ticket that keeps changing under the delete.
const maxRounds = 10

// PurgeTicket removes everything of ticket id. A ticket still in the
// table is deleted through the ticket model (ticket.Delete: refused for a
// merged one, before anything is removed); one gone already has its
// remains removed.
func (s *Service) PurgeTicket(ctx context.Context, id string) error {
	return s.Purge(ctx, id, nil)
}

// Purge removes everything of ticket id, and of the tickets merged into it
// whose tombstones are still there (a spam ticket's: the agents' delete
// removes them with it). last is the ticket as last known when its item
// may be gone already (a stream record's old image, the agents' delete):
// its thread keys, subject and merged tickets are found through it.
func (s *Service) Purge(ctx context.Context, id string, last *helpdesk.Ticket) error {
	return s.purge(ctx, id, last, false)
}

// purge removes ticket id; tombstone: it is a merged ticket's tombstone,
// purged with the ticket it was merged into.
func (s *Service) purge(ctx context.Context, id string, last *helpdesk.Ticket, tombstone bool) error {
	t, err := s.Store.GetTicketHeader(ctx, id)
	live := err == nil
	switch {
	case live:
		// Ask the model first: a ticket it would not delete keeps everything.
		if _, err := deletion(t, tombstone, s.now()); err != nil {
			return fmt.Errorf("purge ticket %s: %w", id, err)
		}
		last = &t
	case !errors.Is(err, helpdesk.ErrNotFound):
		return fmt.Errorf("purge ticket %s: %w", id, err)
	}
	who := map[string]bool{}
	if err := s.remains(ctx, id, who); err != nil {
		return err
	}
	if err := s.notifications(ctx, id, last, who); err != nil {
		return err
	}
	if last != nil {
		if err := s.unindex(ctx, id, ticketTerms(*last)); err != nil {
			return err
		}
		if err := s.Store.RemoveThreadKeys(ctx, id, last.ThreadKeys); err != nil {
			return fmt.Errorf("purge ticket %s: %w", id, err)
		}
	}
	if last != nil {
		// Before the ticket's own item: a run that stops here is run again
		// (the stream retries its record; the sweep still lists the ticket).
		if err := s.tombstones(ctx, id, last.MergedFrom); err != nil {
			return err
		}
	}
	if live {
		if err := s.deleteTicket(ctx, id, tombstone); err != nil {
			return err
		}
		// A message that arrived while the partition was being read went
		// with the ticket (Commit removes the partition): its files too.
		if err := s.remains(ctx, id, nil); err != nil {
			return err
		}
	}
	// The customer's rating (CSAT#<id>, its own partition) goes with it.
	if err := s.Store.DeleteRating(ctx, id); err != nil {
		return fmt.Errorf("purge ticket %s: %w", id, err)
	}
	// Its SLA outcomes (SLAOUT#<id>, their own partition) too.
	if err := s.Store.DeleteSLAOutcomes(ctx, id); err != nil {
		return fmt.Errorf("purge ticket %s: %w", id, err)
	}
	if err := s.Store.DeleteTermsRecord(ctx, id); err != nil {
		return fmt.Errorf("purge ticket %s: %w", id, err)
	}
	s.log().InfoContext(ctx, "ticket purged", "ticket", id, "was_live", live)
	return nil
}

// tombstones purges the tickets merged into ticket id that are still
// there (their conversations stay in their own partitions), and the
// tickets merged into them.
func (s *Service) tombstones(ctx context.Context, id string, merged []string) error {
	for _, m := range merged {
		t, err := s.Store.GetTicketHeader(ctx, m)
		if errors.Is(err, helpdesk.ErrNotFound) {
			continue // deleted with it (an agent's delete), or purged before
		}
		if err != nil {
			return fmt.Errorf("purge ticket %s: merged ticket %s: %w", id, m, err)
		}
		if t.State != helpdesk.StateMerged || t.MergedInto != id {
			continue // unmerged since: its own ticket again
		}
		if err := s.purge(ctx, m, &t, true); err != nil {
			return err
		}
	}
	return nil
}

// deletion is the model's delete of t: a tombstone on its own, or a ticket.
func deletion(t helpdesk.Ticket, tombstone bool, now time.Time) (ticket.Change, error) {
	if tombstone {
		return ticket.DeleteTombstone(t, now)
	}
	return ticket.Delete(t, now)
}

// Message removes what one message names outside its ticket's partition
// (its files and its search terms), for a message removed on its own (TTL
// deleted it before or after its ticket). The ticket's own purge does the
// same for every message it still finds.
func (s *Service) Message(ctx context.Context, m helpdesk.Message) error {
	if err := s.deleteFiles(ctx, []helpdesk.Message{m}); err != nil {
		return err
	}
	return s.unindex(ctx, m.TicketID, messageTerms(m))
}

// remains removes the partition's items besides the ticket, page by page:
// the page's files and terms first, then its items, so a re-run after a
// crash finds again whatever still names something.
func (s *Service) remains(ctx context.Context, id string, who map[string]bool) error {
	limit := s.PageSize
	if limit <= 0 {
		limit = 100
	}
	after := ""
	for {
		p, err := s.Store.TicketRemains(ctx, id, after, limit)
		if err != nil {
			return fmt.Errorf("purge ticket %s: %w", id, err)
		}
		if err := s.deleteFiles(ctx, p.Messages); err != nil {
			return fmt.Errorf("purge ticket %s: %w", id, err)
		}
		var terms []search.Term
		for _, m := range p.Messages {
			if m.TicketID == id || m.TicketID == "" {
				terms = append(terms, messageTerms(m)...)
			}
			addAgents(who, m.AuthorAgentID)
		}
		for _, a := range p.Activities {
			addAgents(who, a.ActorID)
			if a.Kind == helpdesk.ActivityAssigned || a.Kind == helpdesk.ActivityRouted || a.Kind == helpdesk.ActivityUnassigned {
				addAgents(who, a.From, a.To)
			}
			if a.Kind == helpdesk.ActivityProperty && a.Field == "subject" {
				terms = append(terms, search.TextTerms(a.From, search.FieldSubject)...)
				terms = append(terms, search.TextTerms(a.To, search.FieldSubject)...)
			}
		}
		if err := s.unindex(ctx, id, terms); err != nil {
			return err
		}
		if len(p.SKs) > 0 {
			if err := s.Store.DeleteTicketRemains(ctx, id, p.SKs); err != nil {
				return fmt.Errorf("purge ticket %s: %w", id, err)
			}
		}
		if p.Next == "" {
			return nil
		}
		after = p.Next
	}
}

// notifications removes the in-app notifications about the ticket from
// the feeds of those who can have been told: its owner, team and
// followers, and every agent its timeline names (authors, assigners,
// owners before). Feeds are keyed by recipient, so someone told and
// named nowhere (a mention only) keeps theirs until its 90-day TTL; the
// feed drops it at read, its ticket being gone.
func (s *Service) notifications(ctx context.Context, id string, t *helpdesk.Ticket, who map[string]bool) error {
	var since time.Time
	if t != nil {
		since = t.CreatedAt
		addAgents(who, t.OwnerID)
		addAgents(who, t.Followers...)
		if t.TeamID != "" {
			who[helpdesk.TeamRecipient(t.TeamID)] = true
		}
	}
	for _, r := range slices.Sorted(maps.Keys(who)) {
		if _, err := s.Store.RemoveNotifications(ctx, r, id, since); err != nil {
			return fmt.Errorf("purge ticket %s: %w", id, err)
		}
	}
	return nil
}

// addAgents adds agent ids as notification recipients; the router and
// contacts ("contact:<id>") are not agents.
func addAgents(who map[string]bool, ids ...string) {
	for _, id := range ids {
		if who == nil || id == "" || id == helpdesk.ActorRouter || strings.Contains(id, ":") {
			continue
		}
		who[helpdesk.AgentRecipient(id)] = true
	}
}

// deleteTicket commits the model's Delete of the ticket as it is now,
// reading again when another writer got there first. Thread keys were
// removed already, so a ticket with more than a transaction takes still
// fits: its Delete then carries none.
func (s *Service) deleteTicket(ctx context.Context, id string, tombstone bool) error {
	return retry.While(ctx, maxRounds, 5*time.Millisecond, ticket.Lost, func() error {
		t, err := s.Store.GetTicketHeader(ctx, id)
		if errors.Is(err, helpdesk.ErrNotFound) {
			return nil // deleted by another run
		}
		if err != nil {
			return fmt.Errorf("purge ticket %s: %w", id, err)
		}
		c, err := deletion(t, tombstone, s.now())
		if err != nil {
			return fmt.Errorf("purge ticket %s: %w", id, err)
		}
		if len(c.ThreadKeys) > 90 {
			if err := s.Store.RemoveThreadKeys(ctx, id, t.ThreadKeys); err != nil {
				return fmt.Errorf("purge ticket %s: %w", id, err)
			}
			c.ThreadKeys = nil
		}
		if err := s.Store.Commit(ctx, c); err != nil {
			return fmt.Errorf("purge ticket %s: %w", id, err)
		}
		return nil
	})
}

// deleteFiles deletes the bucket objects ms name: attachments, media and
// whole bodies.
func (s *Service) deleteFiles(ctx context.Context, ms []helpdesk.Message) error {
	keys := messageFiles(ms)
	if len(keys) == 0 || s.Files == nil {
		return nil
	}
	if err := s.Files.Delete(ctx, keys); err != nil {
		return fmt.Errorf("delete files: %w", err)
	}
	return nil
}

// messageFiles lists the bucket keys messages name, once each.
func messageFiles(ms []helpdesk.Message) []string {
	seen := map[string]bool{}
	var keys []string
	add := func(k string) {
		if k != "" && !seen[k] && ownedPrefix(k) {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, m := range ms {
		for _, a := range m.Attachments {
			add(a.Key)
		}
		add(m.BodyKey)
		add(m.RawKey)
	}
	return keys
}

// ownedPrefix keeps the cascade to the folders that hold one message's
// files; anything else a message might name is not the purge's to delete.
func ownedPrefix(k string) bool {
	for _, p := range []string{"attachments/", "media/", "bodies/", "inbound/"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

func (s *Service) unindex(ctx context.Context, id string, terms []search.Term) error {
	if len(terms) == 0 {
		return nil
	}
	if _, err := s.Store.UnindexTicket(ctx, id, terms); err != nil {
		return fmt.Errorf("purge ticket %s: %w", id, err)
	}
	return nil
}

// messageTerms are the terms a message put in its ticket's index: its
// text, and each earlier text a customer's edit replaced (the index keeps
// old words).
func messageTerms(m helpdesk.Message) []search.Term {
	ts := index.MessageTerms(m)
	for _, e := range m.Edits {
		ts = append(ts, search.TextTerms(e.Text, search.FieldMessage)...)
	}
	return ts
}

func ticketTerms(t helpdesk.Ticket) []search.Term {
	return search.TextTerms(t.Subject, search.FieldSubject)
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}
