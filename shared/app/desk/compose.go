package desk

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds answering (reply, reply and close, form tickets answered
// by email), bulk edits and tickets created by hand.

// Composer is what answering by email and creating tickets by hand read.
type Composer interface {
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	FindContactID(ctx context.Context, senderKey string) (string, error)
	EmailChannels(ctx context.Context) ([]helpdesk.Channel, error)
	NextTicketNumber(ctx context.Context) (string, error)
}

// Answer is an agent's reply, and the status it moves the ticket to.
type Answer struct {
	TicketID, AgentID string
	Text, HTML        string
	Attachments       []helpdesk.Attachment
	// Status, when set, is a status of the ticket's pipeline to move to with
	// the reply; Close moves it to the pipeline's first closing status.
	Status string
	Close  bool
}

// Answer replies to a ticket on the channel ticket.ReplyVia decides (its
// own, or email from the default email channel for forms, the API and
// tickets logged by hand) and, if asked, moves its status in the same
// change: one transaction. It returns the message, the ticket as it now is
// and the jobs committed.
func (s *Service) Answer(ctx context.Context, in Answer) (helpdesk.Message, helpdesk.Ticket, map[string]string, error) {
	reply := ticket.ReplyInput{AgentID: in.AgentID, Text: in.Text, HTML: in.HTML, Attachments: in.Attachments}
	var msg helpdesk.Message
	// The channel is decided on the ticket each round reads (one read of
	// the ticket, not one more before the change).
	c, cur, err := s.change(ctx, "reply to", in.TicketID, func(t helpdesk.Ticket, set helpdesk.Settings) (c ticket.Change, err error) {
		ch, err := s.replyChannel(ctx, t)
		if err != nil {
			return c, err
		}
		if reply.Contact, err = s.replyContact(ctx, t, ch); err != nil {
			return c, err
		}
		status := in.Status
		if in.Close {
			if status, err = ticket.ClosingStatus(set, t.Pipeline); err != nil {
				return c, err
			}
		}
		var aud ticket.Audience
		if status != "" {
			if aud, err = audience.Read(ctx, s.Store, t, nil); err != nil {
				return c, err
			}
		}
		c, msg, err = ticket.ReplyAndSetStatus(t, ch, reply, status, aud, set, s.Now())
		return c, err
	})
	if err != nil {
		return helpdesk.Message{}, cur, nil, err
	}
	return msg, cur, c.Jobs, nil
}

// replyChannel reads what ticket.ReplyVia decides on: the ticket's own
// channel, or the contact and (unless a portal ticket's contact has no
// email, answered in the portal only) the default email channel.
func (s *Service) replyChannel(ctx context.Context, t helpdesk.Ticket) (helpdesk.Channel, error) {
	if helpdesk.RepliesOnOwnChannel(t.ChannelKind) {
		ch, err := s.Store.GetChannel(ctx, t.ChannelID)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
			return ticket.ReplyVia(t, nil, nil, helpdesk.Contact{})
		case err != nil:
			return helpdesk.Channel{}, err
		}
		return ch, nil
	}
	contact, err := s.Store.GetContact(ctx, t.ContactID)
	if err != nil && !errors.Is(err, helpdesk.ErrNotFound) {
		return helpdesk.Channel{}, err
	}
	if ticket.PortalOnly(t, contact) {
		// Answered in the portal: no email channel needed (portalreply.go).
		return ticket.ReplyVia(t, nil, nil, contact)
	}
	email, err := s.defaultEmail(ctx)
	if err != nil {
		return helpdesk.Channel{}, err
	}
	return ticket.ReplyVia(t, nil, email, contact)
}

// defaultEmail is the email channel that answers tickets whose own channel
// cannot: the one the settings name, else the first enabled email channel
// by id (so the choice is the same on every call); nil if there is none.
func (s *Service) defaultEmail(ctx context.Context) (*helpdesk.Channel, error) {
	set, err := s.Settings.Get(ctx)
	if err != nil {
		return nil, err
	}
	if id := set.DefaultEmailChannel; id != "" {
		ch, err := s.Store.GetChannel(ctx, id)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
			return nil, helpdesk.Errorf(helpdesk.EConflict, "no_email_channel", "the default email channel %s no longer exists", id)
		case err != nil:
			return nil, err
		case ch.Kind != helpdesk.ChannelEmail || ch.Email == nil || ch.Disabled:
			return nil, helpdesk.Errorf(helpdesk.EConflict, "no_email_channel", "the default email channel %s is not an enabled email channel", id)
		}
		return &ch, nil
	}
	chans, err := s.Store.EmailChannels(ctx)
	if err != nil {
		return nil, err
	}
	for _, ch := range chans {
		if !ch.Disabled && ch.Email != nil {
			return &ch, nil
		}
	}
	return nil, nil
}

// BulkResult is what became of one ticket of a bulk edit: the ticket as it
// now is, or why it was not changed.
type BulkResult struct {
	ID     string
	Ticket helpdesk.Ticket
	Err    error
}

// bulkWorkers bounds the tickets a bulk edit changes at once.
const bulkWorkers = 8

// eachTicket runs do for each of ids, bulkWorkers at a time, with a result
// per id in their order; a ticket not found is reported as notVisible(id)
// (one the caller cannot see and one that is not there look alike).
func eachTicket(ids []string, notVisible func(id string) error, do func(id string) (helpdesk.Ticket, error)) []BulkResult {
	out := make([]BulkResult, len(ids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(bulkWorkers, len(ids)) {
		wg.Go(func() {
			for i := range next {
				id := ids[i]
				t, err := do(id)
				if errors.Is(err, helpdesk.ErrNotFound) {
					err = notVisible(id)
				}
				out[i] = BulkResult{ID: id, Ticket: t, Err: err}
			}
		})
	}
	for i := range ids {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

// EditMany applies one edit to each ticket of ids, each in its own change
// (one transaction per ticket, so one ticket's failure undoes no other's),
// at most bulkWorkers at a time. canSee is checked on the very state each
// change is decided on; a ticket it refuses fails with notVisible(id). The
// owner and team are read once: an unknown one fails the whole request.
func (s *Service) EditMany(ctx context.Context, ids []string, e ticket.Edit, actor string, canSee func(helpdesk.Ticket) bool, notVisible func(id string) error) ([]BulkResult, error) {
	owner, err := s.resolveEdit(ctx, e)
	if err != nil {
		return nil, err
	}
	return eachTicket(ids, notVisible, func(id string) (helpdesk.Ticket, error) {
		_, t, err := s.change(ctx, "edit", id, func(t helpdesk.Ticket, set helpdesk.Settings) (ticket.Change, error) {
			if !canSee(t) {
				return ticket.Change{}, notVisible(id)
			}
			aud, err := s.editAudience(ctx, t, e, owner)
			if err != nil {
				return ticket.Change{}, err
			}
			return ticket.Apply(t, 0, e, owner, actor, aud, set, s.Now())
		})
		return t, err
	}), nil
}

// NewTicket is a ticket an agent creates by hand: for an existing contact
// (ContactID) or one found or created by email address.
type NewTicket struct {
	Kind               ticket.HandKind
	ContactID          string
	Email, Name, Phone string
	Subject, Text      string
	Send               bool
	OwnerID, TeamID    string
	Priority           helpdesk.Priority
	Category           string
	AgentID            string
}

// Create creates a ticket by hand (ticket.Create): its number comes from
// the tenant's counter, once however often the write is retried; a contact
// named by email is the existing one for that address or is created with
// the ticket, exactly once (two agents creating for one new address race
// on the contact's lookup key, and the loser decides again with the
// winner's contact). It returns the ticket, its first message and the jobs
// committed.
func (s *Service) Create(ctx context.Context, in NewTicket) (helpdesk.Ticket, helpdesk.Message, map[string]string, error) {
	fail := func(err error) (helpdesk.Ticket, helpdesk.Message, map[string]string, error) {
		return helpdesk.Ticket{}, helpdesk.Message{}, nil, fmt.Errorf("create ticket: %w", err)
	}
	var e ticket.Edit
	if in.OwnerID != "" {
		e.Owner = &in.OwnerID
	}
	if in.TeamID != "" {
		e.Team = &in.TeamID
	}
	owner, err := s.resolveEdit(ctx, e)
	if err != nil {
		return fail(err)
	}
	var email *helpdesk.Channel
	if in.Kind == ticket.HandEmail {
		if email, err = s.defaultEmail(ctx); err != nil {
			return fail(err)
		}
	}
	set, err := s.Settings.Get(ctx)
	if err != nil {
		return fail(err)
	}
	address := ""
	if in.ContactID == "" {
		a, err := mail.ParseAddress(strings.TrimSpace(in.Email))
		if err != nil || a.Name != "" {
			return fail(helpdesk.Errorf(helpdesk.EInvalid, "invalid_email", "contact email %q is not an address", in.Email))
		}
		address = strings.ToLower(a.Address)
	}
	var id string
	var c ticket.Change
	var msg helpdesk.Message
	err = retry.While(ctx, maxRounds, 5*time.Millisecond, ticket.Lost, func() error {
		contact, key, isNew, err := s.contactFor(ctx, in, address)
		if err != nil {
			return err
		}
		if id == "" {
			if id, err = s.Store.NextTicketNumber(ctx); err != nil {
				return err
			}
		}
		c, msg, err = ticket.Create(ticket.NewTicket{ID: id, Kind: in.Kind, Subject: in.Subject, Text: in.Text,
			Contact: contact, ContactKey: key, Email: email, Send: in.Send, AgentID: in.AgentID, Owner: owner,
			TeamID: in.TeamID, Priority: in.Priority, Category: in.Category}, set, s.Now())
		if err != nil {
			return err
		}
		if isNew {
			c.Contact = &ticket.NewContact{Contact: contact, Key: key}
		}
		err = s.Store.Commit(ctx, c)
		if errors.Is(err, ticket.ErrVersionChanged) || errors.Is(err, ticket.ErrThreadTaken) {
			// The number (or its ticket key) is taken already, by a ticket
			// made without the counter: take the next.
			id = ""
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	return *c.Ticket(), msg, c.Jobs, nil
}

// contactFor finds the ticket's contact: the one named, the one known by
// the address, or a new one (isNew) to create with the ticket. key is the
// contact's sender key, "" for a contact without email.
func (s *Service) contactFor(ctx context.Context, in NewTicket, address string) (c helpdesk.Contact, key string, isNew bool, err error) {
	id := in.ContactID
	if id == "" {
		key = helpdesk.Sender{Email: address}.Key(helpdesk.ChannelEmail)
		id, err = s.Store.FindContactID(ctx, key)
		if errors.Is(err, helpdesk.ErrNotFound) {
			c = helpdesk.Contact{ID: uuid.NewString(), Name: strings.TrimSpace(in.Name), Email: address,
				Phone: strings.TrimSpace(in.Phone), CreatedAt: s.Now().UTC()}
			return c, key, true, nil
		}
		if err != nil {
			return c, "", false, err
		}
	}
	c, err = s.Store.GetContact(ctx, id)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return c, "", false, helpdesk.Errorf(helpdesk.EInvalid, "contact_not_found", "no contact %q", id)
	case err != nil:
		return c, "", false, err
	}
	if c.Email != "" {
		key = helpdesk.Sender{Email: c.Email}.Key(helpdesk.ChannelEmail)
	}
	return c, key, false, nil
}
