package desk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/purge"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Spam, not spam, blocked senders and delete (issue 12). Only those who
// may delete tickets (helpdesk.Principal.CanDeleteTickets) mark spam,
// restore it or delete; a ticket they cannot see is refused as missing
// first (notVisible), so a refusal never tells that a ticket exists.

// Blocks keeps the senders agents blocked (store: BLOCKED#<sender key>).
type Blocks interface {
	BlockSender(ctx context.Context, b helpdesk.BlockedSender) error
	UnblockSender(ctx context.Context, senderKey string) error
	ListBlocked(ctx context.Context) ([]helpdesk.BlockedSender, error)
}

// Purger removes everything that hangs off a deleted ticket (its
// conversation, files, search items, notifications): the cascade the spam
// purge runs too (purge.Service). It is called after the ticket's delete is
// committed, once per deleted ticket (a merged ticket's too), with the
// ticket as it was (last), and must be idempotent: a delete retried
// purges again.
type Purger interface {
	Purge(ctx context.Context, ticketID string, last *helpdesk.Ticket) error
}

// Expiries gives the items of a spam ticket written before it went to spam
// its expiry (the TTL), or takes it off (at nil) when it is restored
// (store.SetSpamExpiry). Idempotent: a retried request finishes it.
type Expiries interface {
	SetSpamExpiry(ctx context.Context, ticketID string, at *time.Time) error
}

// expire applies t's expiry to its items, when the store keeps them.
func (s *Service) expire(ctx context.Context, t helpdesk.Ticket) error {
	e, ok := s.Store.(Expiries)
	if !ok {
		return nil
	}
	var at *time.Time
	if t.ExpiresAt > 0 {
		u := time.Unix(t.ExpiresAt, 0).UTC()
		at = &u
	}
	if err := e.SetSpamExpiry(ctx, t.ID, at); err != nil {
		return fmt.Errorf("spam expiry of ticket %s: %w", t.ID, err)
	}
	return nil
}

// blocks is Service.Blocks, else the store when it keeps blocked senders.
func (s *Service) blocks() (Blocks, error) {
	if s.Blocks != nil {
		return s.Blocks, nil
	}
	if b, ok := s.Store.(Blocks); ok {
		return b, nil
	}
	return nil, errors.New("no blocked-sender store configured")
}

// purger is Service.Purger, else the cascade over the Store alone (no
// bucket: tests and tools that keep no files).
func (s *Service) purger() (Purger, error) {
	if s.Purger != nil {
		return s.Purger, nil
	}
	if st, ok := s.Store.(purge.Store); ok {
		return &purge.Service{Store: st, Now: s.Now}, nil
	}
	return nil, errors.New("no purger configured")
}

var (
	errCannotSpam   = helpdesk.Errorf(helpdesk.EForbidden, "cannot_mark_spam", "only users with the delete permission may mark spam or restore it")
	errCannotDelete = helpdesk.Errorf(helpdesk.EForbidden, "cannot_delete", "only users with the delete permission may delete tickets")
)

// allowed checks the caller on the ticket as read: not visible → as
// missing; visible but without the permission → denied.
func allowed(t helpdesk.Ticket, p helpdesk.Principal, notVisible func(string) error, denied error) error {
	if !p.CanSee(t) {
		return notVisible(t.ID)
	}
	if !p.CanDeleteTickets() {
		return denied
	}
	return nil
}

// merged reads the tickets merged into t, recursively.
func (s *Service) merged(ctx context.Context, t helpdesk.Ticket) ([]helpdesk.Ticket, error) {
	var out []helpdesk.Ticket
	err := ticket.EachMerged(t.ID, func(id string) ([]string, error) {
		if id == t.ID {
			return t.MergedFrom, nil
		}
		m, err := s.Store.GetTicketHeader(ctx, id)
		if errors.Is(err, helpdesk.ErrNotFound) {
			return nil, nil // gone already
		}
		if err != nil {
			return nil, err
		}
		out = append(out, m)
		return m.MergedFrom, nil
	})
	return out, err
}

// SpamRequest is what an agent marks spam: conversations of the ticket
// (its own id, or a merged ticket's; none means all of them) and whether
// to block their senders.
type SpamRequest struct {
	Conversations []string
	BlockSender   bool
}

// SpamResult is the ticket as marked and the senders blocked.
type SpamResult struct {
	Ticket  helpdesk.Ticket
	Blocked []helpdesk.BlockedSender
}

// Spam marks conversations of a ticket as spam (ticket.MarkSpamConversations):
// all of them sends it to the Spam view. With BlockSender, the senders of
// the chosen conversations are blocked (those who wrote only in them: a
// participant of a conversation not marked is never blocked), so their
// later messages open tickets straight in spam. The block is written after
// the ticket's change and is idempotent, so a retried request completes it.
func (s *Service) Spam(ctx context.Context, ticketID string, req SpamRequest, p helpdesk.Principal, notVisible func(string) error) (SpamResult, error) {
	var keys []string
	_, t, err := s.change(ctx, "mark spam", ticketID, func(t helpdesk.Ticket, _ helpdesk.Settings) (ticket.Change, error) {
		if err := allowed(t, p, notVisible, errCannotSpam); err != nil {
			return ticket.Change{}, err
		}
		merged, err := s.merged(ctx, t)
		if err != nil {
			return ticket.Change{}, err
		}
		ids := make([]string, len(merged))
		for i, m := range merged {
			ids[i] = m.ID
		}
		all := ticket.Conversations(t, ids)
		c, err := ticket.MarkSpamConversations(t, all, req.Conversations, p.Agent.ID, s.Now())
		keys = spamSenders(t, merged, req.Conversations)
		return c, err
	})
	if err != nil {
		return SpamResult{Ticket: t}, err
	}
	if t.State == helpdesk.StateSpam {
		// After the commit, and again on a retry (no change then): a crash
		// in between leaves items without TTL, which the purge of the
		// ticket removes anyway.
		if err := s.expire(ctx, t); err != nil {
			return SpamResult{Ticket: t}, err
		}
	}
	res := SpamResult{Ticket: t}
	if !req.BlockSender {
		return res, nil
	}
	b, err := s.blocks()
	if err != nil {
		return res, fmt.Errorf("block senders of ticket %s: %w", ticketID, err)
	}
	now := s.Now().UTC()
	for _, k := range keys {
		bs := helpdesk.BlockedSender{Key: k, TicketID: t.ID, BlockedBy: p.Agent.ID, BlockedAt: now}
		if err := b.BlockSender(ctx, bs); err != nil {
			return res, fmt.Errorf("block senders of ticket %s: %w", ticketID, err)
		}
		res.Blocked = append(res.Blocked, bs)
	}
	return res, nil
}

// spamSenders are the sender keys of the conversations chosen (all when
// none are) less anyone who wrote in a conversation not chosen. A merged
// ticket's participants include its merged tickets', so the primary's own
// are its participants less those.
func spamSenders(t helpdesk.Ticket, merged []helpdesk.Ticket, chosen []string) []string {
	isChosen := func(id string) bool { return len(chosen) == 0 || slices.Contains(chosen, id) }
	var in, out []string
	for _, m := range merged {
		if isChosen(m.ID) {
			in = append(in, m.Participants...)
		} else {
			out = append(out, m.Participants...)
		}
	}
	if isChosen(t.ID) {
		in = append(in, t.Participants...)
	}
	var keys []string
	for _, k := range in {
		if k != "" && !slices.Contains(out, k) && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// NotSpam restores a ticket from spam (ticket.NotSpam): its state follows
// its status again, its owner counts it again. Blocked senders stay
// blocked (an admin unblocks them).
//
// The items' TTL comes off before the restore commits: a crash in between
// leaves a spam ticket that no TTL removes (the model gives it its expiry
// again on its next change), never a restored ticket whose items expire.
func (s *Service) NotSpam(ctx context.Context, ticketID string, p helpdesk.Principal, notVisible func(string) error) (helpdesk.Ticket, error) {
	decide := func(t helpdesk.Ticket, set helpdesk.Settings) (ticket.Change, error) {
		if err := allowed(t, p, notVisible, errCannotSpam); err != nil {
			return ticket.Change{}, err
		}
		return ticket.NotSpam(t, p.Agent.ID, set, s.Now())
	}
	if t, err := s.Store.GetTicketHeader(ctx, ticketID); err == nil && t.State == helpdesk.StateSpam {
		if set, err := s.Settings.Get(ctx); err == nil {
			if _, err := decide(t, set); err == nil {
				t.ExpiresAt = 0
				if err := s.expire(ctx, t); err != nil {
					return t, err
				}
			}
		}
	}
	_, t, err := s.change(ctx, "restore from spam", ticketID, decide)
	return t, err
}

// ListBlocked lists the blocked senders (for those who may delete).
func (s *Service) ListBlocked(ctx context.Context, p helpdesk.Principal) ([]helpdesk.BlockedSender, error) {
	if !p.CanDeleteTickets() {
		return nil, errCannotSpam
	}
	b, err := s.blocks()
	if err != nil {
		return nil, err
	}
	return b.ListBlocked(ctx)
}

// Unblock removes a sender's block.
func (s *Service) Unblock(ctx context.Context, senderKey string, p helpdesk.Principal) error {
	if !p.CanDeleteTickets() {
		return errCannotSpam
	}
	b, err := s.blocks()
	if err != nil {
		return err
	}
	if err := b.UnblockSender(ctx, senderKey); err != nil {
		if errors.Is(err, helpdesk.ErrNotFound) {
			return helpdesk.Errorf(helpdesk.ENotFound, "sender_not_blocked", "sender %s is not blocked", senderKey)
		}
		return err
	}
	return nil
}

// DeleteTicket deletes a ticket and the tickets merged into it, in one
// transaction conditioned on each version read (ticket.DeleteMerged), then
// purges what hangs off each (Purger). It returns the ticket as it was.
//
// The delete is committed first, so what an agent sees goes at once and
// whole; the purge then removes what hangs off the tickets, the store
// keeping their partitions until it does (the messages name the files).
// A purge that fails partway is finished by the request retried: a
// ticket no longer there is purged again by whoever may delete, before
// it is answered as missing.
func (s *Service) DeleteTicket(ctx context.Context, ticketID string, p helpdesk.Principal, notVisible func(string) error) (helpdesk.Ticket, error) {
	return s.deleteOne(ctx, ticketID, p.CanDeleteTickets(), func(t helpdesk.Ticket) error { return allowed(t, p, notVisible, errCannotDelete) })
}

func (s *Service) deleteOne(ctx context.Context, ticketID string, mayPurge bool, check func(helpdesk.Ticket) error) (helpdesk.Ticket, error) {
	pg, err := s.purger()
	if err != nil {
		return helpdesk.Ticket{}, fmt.Errorf("delete ticket %s: %w", ticketID, err)
	}
	var c ticket.Change
	var was helpdesk.Ticket
	var extra []ticket.ThreadKey
	err = retry.While(ctx, maxRounds, 5*time.Millisecond, changedMeanwhile, func() error {
		t, err := s.Store.GetTicketHeader(ctx, ticketID)
		if errors.Is(err, helpdesk.ErrNotFound) && mayPurge {
			// Deleted already: finish a purge that may have stopped partway.
			if perr := pg.Purge(ctx, ticketID, nil); perr != nil {
				return perr
			}
		}
		if err != nil {
			return err
		}
		was = t
		if err := check(t); err != nil {
			return err
		}
		merged, err := s.merged(ctx, t)
		if err != nil {
			return err
		}
		if c, err = ticket.DeleteMerged(t, merged, s.Now()); err != nil {
			return err
		}
		extra = overflowKeys(&c)
		return s.Store.Commit(ctx, c)
	})
	if err != nil {
		return was, fmt.Errorf("delete ticket %s: %w", ticketID, err)
	}
	if err := s.removeKeys(ctx, extra); err != nil {
		return was, fmt.Errorf("delete ticket %s: %w", ticketID, err)
	}
	for _, w := range c.Tickets {
		if err := pg.Purge(ctx, w.Before.ID, w.Before); err != nil {
			return was, fmt.Errorf("delete ticket %s: %w", ticketID, err)
		}
	}
	return was, nil
}

// maxTxItems is what one DynamoDB transaction may write.
const maxTxItems = 100

// overflowKeys takes out of a delete the thread-key removals its
// transaction has no room for (an email ticket holds a key per Message-ID,
// so one of ~95 messages or more): the ticket, its merged tickets and the
// loads go in the transaction, the other keys right after (removeKeys).
// A key left behind by a crash in between leads to no ticket, which
// threading skips; the purge sweeps it (shared/app/purge).
func overflowKeys(c *ticket.Change) []ticket.ThreadKey {
	room := maxTxItems - len(c.Tickets) - len(c.LoadItems())
	if len(c.ThreadKeys) <= room {
		return nil
	}
	extra := slices.Clone(c.ThreadKeys[room:])
	c.ThreadKeys = c.ThreadKeys[:room:room]
	return extra
}

// removeKeys removes a deleted ticket's remaining thread keys, a
// transaction of up to maxTxItems at a time, each conditioned on still
// leading to that ticket; a key since taken by another is left to it.
func (s *Service) removeKeys(ctx context.Context, keys []ticket.ThreadKey) error {
	for len(keys) > 0 {
		n := min(len(keys), maxTxItems)
		err := s.Store.Commit(ctx, ticket.Change{ThreadKeys: keys[:n]})
		if errors.Is(err, ticket.ErrThreadTaken) {
			for _, k := range keys[:n] {
				if err := s.Store.Commit(ctx, ticket.Change{ThreadKeys: []ticket.ThreadKey{k}}); err != nil && !errors.Is(err, ticket.ErrThreadTaken) {
					return err
				}
			}
		} else if err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

// reasonConfirmMismatch: a bulk delete whose confirmation is not its count.
const reasonConfirmMismatch = "confirm_mismatch"

// DeleteMany deletes the tickets of ids, each in its own transaction (one
// ticket's failure undoes no other's), bulkWorkers at a time. confirm is
// the number the caller typed: unless it is the number of tickets
// selected, nothing is deleted (409 confirm_mismatch naming both).
func (s *Service) DeleteMany(ctx context.Context, ids []string, confirm int, p helpdesk.Principal, notVisible func(string) error) ([]BulkResult, error) {
	if !p.CanDeleteTickets() {
		return nil, errCannotDelete
	}
	if confirm != len(ids) {
		return nil, helpdesk.Errorf(helpdesk.EConflict, reasonConfirmMismatch, "you confirmed %d tickets, but %d are selected: nothing was deleted", confirm, len(ids))
	}
	return eachTicket(ids, notVisible, func(id string) (helpdesk.Ticket, error) {
		return s.DeleteTicket(ctx, id, p, notVisible)
	}), nil
}
