package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// MergeRequest is one agent's merge: Secondary goes into Primary, whose
// properties the merged ticket keeps. A version, when not 0, is the one the
// agent saw: a ticket changed since is refused rather than merged over.
type MergeRequest struct {
	Primary, Secondary               string
	PrimaryVersion, SecondaryVersion int64
	Actor                            string
}

// MergeConflict is a merge refused for the state of its tickets (one
// changed since the agent read it, or is merged already): the error, and
// both tickets as they now are, so the agent can see what changed and
// decide again.
type MergeConflict struct {
	Err                error
	Primary, Secondary helpdesk.Ticket
}

func (e *MergeConflict) Error() string { return e.Err.Error() }
func (e *MergeConflict) Unwrap() error { return e.Err }

// Merge merges secondary into primary, deciding again on the tickets as
// they are whenever another writer changed one first (the other of two
// agents merging A into B and B into A at once is then refused: merged
// already). The primary keeps its properties.
func (s *Service) Merge(ctx context.Context, primaryID, secondaryID, actor string) (helpdesk.Ticket, error) {
	return s.MergeTickets(ctx, MergeRequest{Primary: primaryID, Secondary: secondaryID, Actor: actor})
}

// MergeTickets runs a merge request; see Merge. A refusal for the tickets'
// state is a *MergeConflict. A merge done already (ticket.MergedAlready:
// the client retrying one whose answer it lost) answers the primary as it
// now is and writes nothing, whatever versions the request names.
func (s *Service) MergeTickets(ctx context.Context, req MergeRequest) (helpdesk.Ticket, error) {
	var merged, p, sec helpdesk.Ticket
	err := retry.While(ctx, maxRounds, 5*time.Millisecond, keysMovedMeanwhile, func() error {
		var err error
		if p, err = s.Store.GetTicketHeader(ctx, req.Primary); err != nil {
			return err
		}
		merged = p
		if sec, err = s.Store.GetTicketHeader(ctx, req.Secondary); err != nil {
			return err
		}
		c, err := ticket.MergeChecked(p, sec, req.PrimaryVersion, req.SecondaryVersion, req.Actor, s.Now())
		if errors.Is(err, ticket.ErrNoChange) {
			return nil // merged already (a retry): the primary as it now is
		}
		if err != nil {
			return err
		}
		if err := s.Store.Commit(ctx, c); err != nil {
			return err
		}
		merged = *c.Ticket()
		return nil
	})
	if helpdesk.IsCode(err, helpdesk.EConflict) && !changedMeanwhile(err) {
		err = &MergeConflict{Err: err, Primary: p, Secondary: sec}
	}
	if err != nil {
		return merged, fmt.Errorf("merge %s into %s: %w", req.Secondary, req.Primary, err)
	}
	return merged, nil
}

// keysMovedMeanwhile is changedMeanwhile for a merge or an unmerge, which
// repoint thread keys conditioned on the ticket they led to when read: a
// key that leads elsewhere now was moved by another writer since (the
// same merge or unmerge sent twice at once, a retry beside its first
// try: the store reports the key before the versions), so deciding again
// on the tickets as they now are finds it done, or refuses it.
func keysMovedMeanwhile(err error) bool {
	return changedMeanwhile(err) || errors.Is(err, ticket.ErrThreadTaken)
}

// AsMergeConflict returns the conflict err carries, if any.
func AsMergeConflict(err error) (*MergeConflict, bool) {
	var mc *MergeConflict
	ok := errors.As(err, &mc)
	return mc, ok
}

// Unmerge undoes the merge of ticket secondaryID into the ticket it was
// merged into (ticket.Unmerge): both tickets as they were, each keeping
// what arrived for it since. It reads the merged conversation to find the
// messages that arrived since, and decides again if either ticket changed
// before the commit. version, when not 0, is the merged ticket's version
// the agent saw (ticket.ErrMergeStale if it changed). It returns the
// primary and the secondary as they now are.
//
// An unmerge too large for one transaction (ticket.Unmerge refuses it) is
// done in steps (ticket.UnmergeStep), each its own transaction that leaves
// the tickets correct, until what is left fits; a failure between steps
// leaves a merge that a retry of the unmerge finishes.
//
// An unmerge done already (a retry) answers as Unmerged does: both tickets
// as they now are, nothing written, version not checked.
func (s *Service) Unmerge(ctx context.Context, secondaryID string, version int64, actor string) (primary, secondary helpdesk.Ticket, err error) {
	for steps := 0; ; steps++ {
		primary, secondary, err = s.unmergeOnce(ctx, secondaryID, version, actor, steps < maxUnmergeSteps)
		if !errors.Is(err, errStepped) {
			break
		}
		version = 0 // the agent saw the ticket before the steps
	}
	if err != nil {
		return primary, secondary, fmt.Errorf("unmerge ticket %s: %w", secondaryID, err)
	}
	return primary, secondary, nil
}

// Unmerged answers an unmerge of a ticket that is not merged: when it
// was unmerged (ticket.UnmergedFrom: a client retrying an unmerge whose
// answer it lost), the ticket it was unmerged from and it, as they now
// are; otherwise 409 not_merged. It writes nothing, and checks no
// version (the one a retry names is from before its unmerge).
func (s *Service) Unmerged(ctx context.Context, secondaryID string) (primary, secondary helpdesk.Ticket, err error) {
	primary, secondary, err = s.unmergedAlready(ctx, secondaryID)
	if err != nil {
		return primary, secondary, fmt.Errorf("unmerge ticket %s: %w", secondaryID, err)
	}
	return primary, secondary, nil
}

func (s *Service) unmergedAlready(ctx context.Context, secondaryID string) (primary, secondary helpdesk.Ticket, err error) {
	conv, err := s.Store.GetTicket(ctx, secondaryID)
	if err != nil {
		return primary, secondary, err
	}
	from, err := ticket.UnmergedFrom(conv)
	if err != nil {
		return primary, conv.Ticket, err
	}
	primary, err = s.Store.GetTicketHeader(ctx, from)
	return primary, conv.Ticket, err
}

// maxUnmergeSteps bounds the steps of one unmerge (15 messages and 20
// keys each: far more than a merged ticket gathers).
const maxUnmergeSteps = 100

// errStepped: a step of an unmerge was committed; decide again.
var errStepped = errors.New("unmerge step committed")

// unmergeOnce decides the unmerge on the tickets as they are and commits
// it, or, when it is too large and step allows, one step of it
// (errStepped).
func (s *Service) unmergeOnce(ctx context.Context, secondaryID string, version int64, actor string, step bool) (primary, secondary helpdesk.Ticket, err error) {
	err = retry.While(ctx, maxRounds, 5*time.Millisecond, keysMovedMeanwhile, func() error {
		var err error
		if secondary, err = s.Store.GetTicketHeader(ctx, secondaryID); err != nil {
			return err
		}
		if secondary.State != helpdesk.StateMerged || secondary.MergedInto == "" {
			primary, secondary, err = s.unmergedAlready(ctx, secondaryID)
			return err
		}
		if version != 0 && version != secondary.Version {
			return ticket.ErrMergeStale
		}
		// The primary's version first, its messages after: a reply that
		// lands between the two reads changes the version, so the commit
		// fails and the unmerge decides again with it. (A Query of the
		// partition is no snapshot: it reads the messages before the ticket
		// item, and a reply committed in between would be counted, not moved.)
		if primary, err = s.Store.GetTicketHeader(ctx, secondary.MergedInto); err != nil {
			return err
		}
		conv, err := s.Store.GetTicket(ctx, primary.ID)
		if err != nil {
			return err
		}
		var since []helpdesk.Message
		for _, m := range conv.Messages {
			if m.TicketID == primary.ID && secondary.Merge != nil && !m.CreatedAt.Before(secondary.Merge.At) {
				since = append(since, m)
			}
		}
		c, err := ticket.Unmerge(primary, secondary, since, actor, s.Now())
		if helpdesk.ErrorReason(err) == "unmerge_too_large" && step {
			if c, err = ticket.UnmergeStep(primary, secondary, since, s.Now()); err != nil {
				return err
			}
			if err := s.Store.Commit(ctx, c); err != nil {
				return err
			}
			return errStepped
		}
		if err != nil {
			return err
		}
		if err := s.Store.Commit(ctx, c); err != nil {
			return err
		}
		primary, secondary = *c.Tickets[0].After, *c.Tickets[1].After
		return nil
	})
	return primary, secondary, err
}
