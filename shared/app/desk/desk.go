// Package desk is what agents do to tickets: assign, change status,
// properties, reply, note, mark spam, delete and merge. Each action reads
// the ticket, asks the ticket model to decide, and commits the change in
// one transaction; when another writer got there first it reads again and
// decides again, so a decision is always made on the state it is written
// over.
package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Store is what ticket actions read and write.
type Store interface {
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	// Commit writes a change decided by the ticket model, atomically.
	Commit(ctx context.Context, c ticket.Change) error
	GetAgent(ctx context.Context, id string) (helpdesk.Agent, error)
	audience.Directory
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
	TeamMembers(ctx context.Context, ids []string) (map[string][]string, error)
	Composer // compose.go: what answering by email and creating by hand read
	Splits   // split.go: a split and an unmerge read the conversation
}

// Settings reads the tenant's settings.
type Settings interface {
	Get(ctx context.Context) (helpdesk.Settings, error)
}

// Service runs agents' actions on tickets.
type Service struct {
	Store Store
	// Settings are the tenant's, read through a cache (settings.Cache).
	Settings Settings
	Now      func() time.Time
	// Router routes a ticket split off another (split.go); nil leaves it
	// unassigned.
	Router Planner
	// Blocks and Purger (spam.go): nil uses the Store's own when it has them.
	Blocks Blocks
	Purger Purger
	// Customers (customernotify.go): nil uses the Store's own when it has them.
	Customers Customers
}

// maxRounds bounds re-reads when concurrent writers keep winning.
const maxRounds = 10

// change reads ticket id and the settings, lets decide make a change of the
// ticket and commits the change; if another writer changed the ticket
// first, it reads again and decides again. It returns the change written
// (none when decide found nothing to do) and the ticket as it now is; an
// error names what was being done.
func (s *Service) change(ctx context.Context, what, id string, decide func(t helpdesk.Ticket, set helpdesk.Settings) (ticket.Change, error)) (ticket.Change, helpdesk.Ticket, error) {
	var c ticket.Change
	var cur helpdesk.Ticket
	set, err := s.Settings.Get(ctx)
	if err == nil {
		err = retry.While(ctx, maxRounds, 5*time.Millisecond, changedMeanwhile, func() error {
			var err error
			if cur, err = s.Store.GetTicketHeader(ctx, id); err != nil {
				return err
			}
			if c, err = decide(cur, set); err != nil {
				return err
			}
			if err := s.tellCustomer(ctx, &c, set); err != nil { // customernotify.go
				return err
			}
			return s.Store.Commit(ctx, c)
		})
	}
	switch {
	case errors.Is(err, ticket.ErrNoChange):
		return ticket.Change{}, cur, nil
	case err != nil:
		return ticket.Change{}, cur, fmt.Errorf("%s ticket %s: %w", what, id, err)
	}
	if t := c.Ticket(); t != nil {
		cur = *t
	}
	return c, cur, nil
}

// changedMeanwhile reports a lost race that deciding again can win: the
// ticket changed since it was read. (A thread key or a message that belongs
// elsewhere cannot be won by deciding again.)
func changedMeanwhile(err error) bool {
	return errors.Is(err, ticket.ErrVersionChanged) || errors.Is(err, ticket.ErrContention)
}

// Assign gives a ticket to ownerID ("" unassigns) and, when teamID is not
// empty, to that team. The new owner is notified unless they did it (in
// the app, and by email if they asked: the job is in the ticket's outbox,
// published by the outbox).
func (s *Service) Assign(ctx context.Context, ticketID, ownerID, teamID, actor string) (helpdesk.Ticket, error) {
	e := ticket.Edit{Owner: &ownerID}
	if teamID != "" {
		e.Team = &teamID
	}
	return s.Edit(ctx, ticketID, 0, e, actor)
}

// Edit changes any of a ticket's owner, team, status and properties in one
// change. version, when not 0, is the version the caller saw: a ticket
// changed since is refused with ticket.ErrStale, never silently
// overwritten.
func (s *Service) Edit(ctx context.Context, ticketID string, version int64, e ticket.Edit, actor string) (helpdesk.Ticket, error) {
	owner, err := s.resolveEdit(ctx, e)
	if err != nil {
		return helpdesk.Ticket{}, fmt.Errorf("edit ticket %s: %w", ticketID, err)
	}
	_, t, err := s.change(ctx, "edit", ticketID, func(t helpdesk.Ticket, set helpdesk.Settings) (ticket.Change, error) {
		aud, err := s.editAudience(ctx, t, e, owner)
		if err != nil {
			return ticket.Change{}, err
		}
		return ticket.Apply(t, version, e, owner, actor, aud, set, s.Now())
	})
	return t, err
}

// editAudience reads who is told of an edit: a status change is told to
// the owner and followers as the edit leaves them (the new owner, and the
// team moved to); other edits tell nobody beyond what the model decides.
func (s *Service) editAudience(ctx context.Context, t helpdesk.Ticket, e ticket.Edit, owner *helpdesk.Agent) (ticket.Audience, error) {
	if e.Status == nil {
		return nil, nil
	}
	var also, teams []string
	if owner != nil {
		also = append(also, owner.ID)
	}
	if e.Team != nil {
		teams = append(teams, *e.Team)
	}
	return audience.Read(ctx, s.Store, t, also, teams...)
}

// resolveEdit reads the owner an edit names (nil when none) and checks that
// its team exists.
func (s *Service) resolveEdit(ctx context.Context, e ticket.Edit) (*helpdesk.Agent, error) {
	var owner *helpdesk.Agent
	if e.Owner != nil && *e.Owner != "" {
		a, err := s.Store.GetAgent(ctx, *e.Owner)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "owner_unknown", "owner %q is not a user of the desk", *e.Owner)
		case err != nil:
			return nil, err
		}
		owner = &a
	}
	if e.Team != nil && *e.Team != "" {
		teams, err := s.Store.TeamMembers(ctx, []string{*e.Team})
		if err != nil {
			return nil, err
		}
		if _, ok := teams[*e.Team]; !ok {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "team_unknown", "no team %q", *e.Team)
		}
	}
	return owner, nil
}

// SetStatus moves a ticket to a status of its pipeline; a closing status
// closes it, any other reopens it.
func (s *Service) SetStatus(ctx context.Context, ticketID, status, actor string) (helpdesk.Ticket, error) {
	_, t, err := s.change(ctx, "set status of", ticketID, func(t helpdesk.Ticket, set helpdesk.Settings) (ticket.Change, error) {
		aud, err := audience.Read(ctx, s.Store, t, nil)
		if err != nil {
			return ticket.Change{}, err
		}
		return ticket.SetStatus(t, status, actor, aud, set, s.Now())
	})
	return t, err
}

// SetProperties changes a ticket's subject, priority or category.
func (s *Service) SetProperties(ctx context.Context, ticketID string, p ticket.Properties, actor string) (helpdesk.Ticket, error) {
	_, t, err := s.change(ctx, "set properties of", ticketID, func(t helpdesk.Ticket, set helpdesk.Settings) (ticket.Change, error) {
		return ticket.SetProperties(t, p, actor, set, s.Now())
	})
	return t, err
}

// SetUnread marks a ticket unread, or read (for everybody).
func (s *Service) SetUnread(ctx context.Context, ticketID string, unread bool) (helpdesk.Ticket, error) {
	_, t, err := s.change(ctx, "mark read", ticketID, func(t helpdesk.Ticket, _ helpdesk.Settings) (ticket.Change, error) {
		return ticket.SetUnread(t, unread, s.Now())
	})
	return t, err
}

// MarkSpam moves a ticket to the Spam view.
func (s *Service) MarkSpam(ctx context.Context, ticketID, actor string) (helpdesk.Ticket, error) {
	_, t, err := s.change(ctx, "mark spam", ticketID, func(t helpdesk.Ticket, _ helpdesk.Settings) (ticket.Change, error) {
		return ticket.MarkSpam(t, actor, s.Now())
	})
	return t, err
}

// Delete removes a ticket and its conversation. It returns the ticket as it
// was.
// The tickets merged into it go too, and the Purger removes what hangs off
// them (spam.go).
func (s *Service) Delete(ctx context.Context, ticketID string) (helpdesk.Ticket, error) {
	return s.deleteOne(ctx, ticketID, true, func(helpdesk.Ticket) error { return nil })
}

// Note adds an internal note to a ticket, mentioning the agents mentions
// names and those the text's @names name (an @name that names nobody is
// plain text; an id in mentions that names nobody is refused). It returns
// the note and the jobs committed (notification emails), to publish.
func (s *Service) Note(ctx context.Context, ticketID, agentID, text string, mentions []string) (helpdesk.Message, map[string]string, error) {
	ids, err := s.mentioned(ctx, text, mentions)
	if err != nil {
		return helpdesk.Message{}, nil, fmt.Errorf("note on ticket %s: %w", ticketID, err)
	}
	var msg helpdesk.Message
	c, _, err := s.change(ctx, "note on", ticketID, func(t helpdesk.Ticket, _ helpdesk.Settings) (c ticket.Change, err error) {
		aud, err := audience.Read(ctx, s.Store, t, ids)
		if err != nil {
			return ticket.Change{}, err
		}
		c, msg, err = ticket.Note(t, ticket.NoteInput{AgentID: agentID, Text: text, Mentions: ids}, aud, s.Now())
		return c, err
	})
	if err != nil {
		return helpdesk.Message{}, nil, err
	}
	return msg, c.Jobs, nil
}

// Reply records an agent's reply as a queued outbound message (on the
// ticket's own channel, or by email for a form's: see Answer) and commits
// the job that sends it in the ticket's outbox; it returns the message and
// the jobs committed (to publish at once: the outbox relay publishes them
// anyway if this process dies).
func (s *Service) Reply(ctx context.Context, ticketID, agentID, text, html string, attachments ...helpdesk.Attachment) (helpdesk.Message, map[string]string, error) {
	msg, _, jobs, err := s.Answer(ctx, Answer{TicketID: ticketID, AgentID: agentID, Text: text, HTML: html, Attachments: attachments})
	return msg, jobs, err
}
