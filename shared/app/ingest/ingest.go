// Package ingest applies inbound messages to tickets: dedupe, thread, find or
// create the contact, then create a ticket or append to one. It decides and
// retries; the store only writes atomically and reports lost races.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/app/uploads"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Tickets finds and writes tickets.
type Tickets interface {
	FindDedupe(ctx context.Context, key string) (ticket.Dedupe, error)
	FindThread(ctx context.Context, keys []string) (ticketID, key string, err error)
	NextTicketNumber(ctx context.Context) (string, error)
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error)
	// Commit writes a change decided by the ticket model, atomically.
	Commit(ctx context.Context, c ticket.Change) error
}

// Contacts finds customers and records their consent.
type Contacts interface {
	FindContactID(ctx context.Context, senderKey string) (string, error)
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	CreateContact(ctx context.Context, c helpdesk.Contact, senderKey string) error
	SetConsent(ctx context.Context, contactID string, c helpdesk.Consent) error
}

// Holds keeps a visitor's messages until they consent (explicit mode).
type Holds interface {
	HoldMessage(ctx context.Context, m *helpdesk.InboundMessage, until time.Time) error
	HeldMessages(ctx context.Context, channelID, senderKey string, now time.Time) ([]helpdesk.InboundMessage, error)
	ReleaseHeld(ctx context.Context, channelID, senderKey string) error
	ConsentAsked(ctx context.Context, channelID, senderKey string, now time.Time) (bool, error)
	MarkConsentAsked(ctx context.Context, channelID, senderKey string, at, until time.Time) error
}

// Deliveries moves our outbound messages on provider reports and bounces.
type Deliveries interface {
	SetMessageStatus(ctx context.Context, m helpdesk.Message, from, to helpdesk.MessageStatus, providerID, reason string) error
	ApplyStatusReport(ctx context.Context, r helpdesk.StatusReport) (helpdesk.Message, bool, error)
}

// Store is every port ingest uses; one table provides them all.
type Store interface {
	Tickets
	Contacts
	Holds
	Deliveries
	Numbers
	MessageUpdates
	Blocked
	outbox.Store
	// audience.Directory reads who is told of a customer's message.
	audience.Directory
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
}

// Planner decides who gets a new ticket (routing.Router).
type Planner interface {
	Plan(ctx context.Context, ch helpdesk.Channel, t *helpdesk.Ticket, contactOwnerID string) (routing.Plan, error)
}

// Settings reads the tenant's settings.
type Settings interface {
	Get(ctx context.Context) (helpdesk.Settings, error)
}

// Publisher sends queued jobs (notification emails) to the outbound queue.
type Publisher = outbox.Publisher

// Service applies inbound messages.
type Service struct {
	Store    Store
	Threader threading.Threader
	// Settings are the tenant's (pipelines, categories, defaults), read
	// through a cache (settings.Cache).
	Settings Settings
	Now      func() time.Time
	Log      *slog.Logger
	// Router assigns new tickets; nil leaves them unassigned.
	Router Planner
	// Outbound receives the jobs a ticket's outbox commits (required with Router).
	Outbound Publisher
	// MaxAttempts bounds re-read-and-decide rounds after lost races.
	MaxAttempts int
	// Media keeps files that arrive as provider references (WhatsApp media
	// ids) before the message is applied; nil leaves them as references.
	Media MediaFetcher
	// Bodies keeps the bodies too large for a message item (bodies.go).
	Bodies Bodies
	// Uploads reads back a portal message's uploads (portal.go); nil
	// keeps none of them (each is noted as missing).
	Uploads uploads.Stater
}

// MediaFetcher stores a message's provider-held files and points its
// attachments at the stored copies (media.WhatsApp).
type MediaFetcher interface {
	Fetch(ctx context.Context, m *helpdesk.InboundMessage) error
}

// Result says what became of a message.
type Result struct {
	TicketID  string
	MessageID string
	Created   bool   // a new ticket was created
	Duplicate bool   // the message had been applied before; nothing was written
	Reason    string // why the message landed where it did
	OwnerID   string // who the router assigned a new ticket to ("" if nobody)
	Attempts  int    // decide-and-write rounds it took (1 = no lost race)
}

// ReasonNewTicket is the thread reason of a message that starts a ticket.
const ReasonNewTicket = ticket.ReasonNewTicket

// Apply applies m exactly once, however often it is delivered and however
// many routers race on the same thread or sender.
func (s *Service) Apply(ctx context.Context, m *helpdesk.InboundMessage) (Result, error) {
	if err := m.Validate(); err != nil {
		return Result{}, err
	}
	if err := s.keepBody(ctx, m); err != nil {
		return Result{}, err
	}
	if m.Email != nil && m.Email.Kind == helpdesk.EmailBounce {
		return s.applyBounce(ctx, m)
	}
	if m.System != nil {
		return s.applySystem(ctx, m)
	}
	if m.Update != nil {
		return s.applyUpdate(ctx, m)
	}
	if m.Portal != nil {
		return s.applyPortal(ctx, m) // portal.go
	}
	if s.Media != nil && m.Channel == helpdesk.ChannelWhatsApp && len(m.Attachments) > 0 {
		if err := s.Media.Fetch(ctx, m); err != nil {
			return Result{}, fmt.Errorf("apply %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
		}
	}
	ch, err := s.Store.GetChannel(ctx, m.ChannelID)
	if err != nil {
		return Result{}, fmt.Errorf("apply %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
	}
	if explicitConsent(ch) && isConsentAcceptance(m) {
		return s.acceptConsent(ctx, m, ch)
	}
	thread := s.Threader.Thread(m)
	return s.decide(ctx, m, func(ticketNo *reservedNumber) (Result, map[string]string, error) {
		return s.applyOnce(ctx, m, ch, thread, ticketNo)
	})
}

// decide runs once (read, decide, write) until it does not lose a race,
// then publishes the outbox it committed.
func (s *Service) decide(ctx context.Context, m *helpdesk.InboundMessage, once func(ticketNo *reservedNumber) (Result, map[string]string, error)) (Result, error) {
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = 8
	}
	log := s.Log.With("channel", m.ChannelID, "message_id", m.ProviderMessageID)
	var lastErr error
	var ticketNo reservedNumber
	for attempt := range attempts {
		if attempt > 0 {
			if err := retry.Backoff(ctx, attempt, 10*time.Millisecond); err != nil {
				return Result{}, err
			}
		}
		res, jobs, err := once(&ticketNo)
		switch {
		case err == nil:
			res.Attempts = attempt + 1
			log.InfoContext(ctx, "message applied", "ticket_id", res.TicketID, "created", res.Created,
				"duplicate", res.Duplicate, "reason", res.Reason, "owner", res.OwnerID, "attempt", attempt+1)
			if res.Duplicate || len(jobs) > 0 {
				if res.Duplicate {
					jobs = nil // re-read what is still pending
				}
				if err := outbox.Flush(ctx, s.Store, s.Outbound, res.TicketID, jobs); err != nil {
					return res, fmt.Errorf("apply %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
				}
			}
			return res, nil
		case ticket.Lost(err):
			// Someone else wrote first: re-read and decide again.
			log.DebugContext(ctx, "lost a race, retrying", "attempt", attempt+1, "error", err)
			lastErr = err
		default:
			return Result{}, fmt.Errorf("apply %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
		}
	}
	return Result{}, fmt.Errorf("apply %s/%s: gave up after %d attempts: %w", m.ChannelID, m.ProviderMessageID, attempts, lastErr)
}

// applyOnce reads, decides and writes once; it returns the outbox the write
// committed, to publish.
func (s *Service) applyOnce(ctx context.Context, m *helpdesk.InboundMessage, ch helpdesk.Channel, th threading.Thread, ticketNo *reservedNumber) (Result, map[string]string, error) {
	ident, dup, err := s.identify(ctx, m)
	if err != nil || dup != nil {
		if dup != nil {
			return *dup, nil, nil
		}
		return Result{}, nil, err
	}

	// The author is resolved (or created) on both paths: a new participant
	// replying into an existing thread becomes a contact too.
	senderKey := m.Sender.Key(m.Channel)
	var newContact *helpdesk.Contact
	contactID, err := s.Store.FindContactID(ctx, senderKey)
	switch {
	case errors.Is(err, store.ErrNotFound):
		c := newContactFor(m, s.Now())
		c.Consent = implicitConsent(ch, m)
		newContact, contactID = &c, c.ID
	case err != nil:
		return Result{}, nil, err
	}
	// A forward's "original sender" is text the forwarder wrote: the
	// participant check trusts only who actually sent it.
	actualSender := senderKey
	if m.Email != nil && m.Email.ForwardedBy != nil {
		actualSender = m.Email.ForwardedBy.Key(m.Channel)
	}
	blocked, err := s.blocked(ctx, senderKey, actualSender)
	if err != nil {
		return Result{}, nil, err
	}
	who := &author{s: s, id: contactID, c: newContact}
	// A blocked sender is never asked for consent: nothing is sent to them.
	if hold, err := s.needsConsent(ctx, ch, who, newContact != nil); !blocked && (err != nil || hold) {
		if err != nil {
			return Result{}, nil, err
		}
		res, err := s.hold(ctx, m, ch)
		return res, nil, err
	}
	msg := s.message(m)
	msg.AuthorContactID = contactID
	ident.keep(m, &msg, &th)

	spam := m.Verdicts.IsSpam()
	if spam {
		// A FAIL verdict goes to the spam view on its own, whatever it quotes.
		th.Lookup = nil
	}
	found, err := s.findThread(ctx, th, actualSender, ch)
	if err != nil {
		return Result{}, nil, err
	}
	if blocked && found.ticket != nil && found.ticket.State != helpdesk.StateSpam {
		// A blocked sender's message joins their spam, never a working ticket.
		found = match{note: ReasonSenderBlocked}
	} else if blocked && found.ticket == nil {
		found.note = ReasonSenderBlocked
	}
	set, err := s.Settings.Get(ctx)
	if err != nil {
		return Result{}, nil, err
	}
	now := s.Now()
	var c ticket.Change
	var res Result
	if found.ticket != nil {
		msg.ThreadReason = found.reason
		msg.ThreadKey, msg.OwnKeys = found.key, without(th.Own, found.key) // for an unmerge
		// The owner and followers are told (those who can still see it).
		aud, err := audience.Read(ctx, s.Store, *found.ticket, nil)
		if err != nil {
			return Result{}, nil, err
		}
		if c, err = ticket.Append(*found.ticket, msg, senderKey, without(th.Own, found.key), aud, set, now); err != nil {
			return Result{}, nil, err
		}
		res = Result{TicketID: found.ticket.ID, MessageID: msg.ID, Reason: found.reason}
	} else {
		msg.ThreadNote = found.note
		// One number per message, kept across its retries (numbers.go). A
		// mail found to reuse another's Message-ID on a retry is another
		// message (another dedupe key), so it takes its own number.
		if ticketNo.key != ident.dedupe {
			no, err := s.ticketNumber(ctx, ident.dedupe)
			if err != nil {
				return Result{}, nil, err
			}
			*ticketNo = reservedNumber{key: ident.dedupe, number: no}
		}
		id := ticketNo.number
		own := append([]string(nil), th.Own...)
		if !spam && !blocked {
			// Claim the conversation's ids, but not those of a ticket passed over.
			for _, k := range th.Claim {
				if !found.taken[k] {
					own = append(own, k)
				}
			}
		}
		if th.TicketKey {
			own = append(own, threading.TicketKey(id))
		}
		var warnings []string
		c, warnings = ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: ch, ContactID: contactID,
			SenderKey: senderKey, ThreadKeys: own, NewContact: newContact != nil, Blocked: blocked}, set, now)
		for _, w := range warnings {
			s.Log.WarnContext(ctx, w, "channel", m.ChannelID, "ticket_id", id)
		}
		if s.Router != nil && !spam && !blocked {
			plan, err := s.plan(ctx, ch, c.Ticket(), who, newContact == nil)
			if err != nil {
				return Result{}, nil, err
			}
			ticket.Route(&c, plan, now)
		}
		res = Result{TicketID: id, MessageID: msg.ID, Created: true, Reason: ReasonNewTicket, OwnerID: c.Ticket().OwnerID}
	}
	c.Dedupe = ident.record(res.TicketID, msg.ID)
	if newContact != nil {
		c.Contact = &ticket.NewContact{Contact: *newContact, Key: senderKey}
	}
	if !blocked {
		s.askProfile(ctx, &c, m, who)
	}
	if err := s.commit(ctx, c, res.Created); err != nil {
		return Result{}, nil, err
	}
	return res, c.Jobs, nil
}

// plan asks the router who gets the new ticket t.
func (s *Service) plan(ctx context.Context, ch helpdesk.Channel, t *helpdesk.Ticket, a *author, knownContact bool) (routing.Plan, error) {
	owner := ""
	if ch.Routing.Kind == helpdesk.RouteContactOwner && knownContact {
		c, err := a.get(ctx)
		if err != nil {
			return routing.Plan{}, err
		}
		owner = c.OwnerID
	}
	return s.Router.Plan(ctx, ch, t, owner)
}

// commit writes c. A new ticket's write is retried as it is while it only
// loses to transaction contention: deciding again would waste a
// round-robin turn.
func (s *Service) commit(ctx context.Context, c ticket.Change, created bool) error {
	for try := 0; ; try++ {
		err := s.Store.Commit(ctx, c)
		if !created || !errors.Is(err, ticket.ErrContention) || try >= 5 {
			return err
		}
		if err := retry.Backoff(ctx, try+1, 10*time.Millisecond); err != nil {
			return err
		}
	}
}

// ReasonBounce marks a bounce applied to our outbound messages.
const ReasonBounce = "bounce"

// applyBounce marks the outbound messages a bounce reports as failed, with
// the reason visible on the ticket. It creates nothing and is idempotent.
func (s *Service) applyBounce(ctx context.Context, m *helpdesk.InboundMessage) (Result, error) {
	res := Result{Reason: ReasonBounce, Duplicate: true}
	for _, id := range m.Email.BouncedMessageIDs {
		id = strings.Trim(strings.TrimSpace(id), "<>")
		ticketID, _, err := s.Store.FindThread(ctx, []string{threading.MessageKey(id)})
		if errors.Is(err, store.ErrNotFound) {
			continue // not one of ours
		}
		if err != nil {
			return res, fmt.Errorf("apply bounce %s: %w", m.ProviderMessageID, err)
		}
		conv, err := s.Store.GetTicket(ctx, ticketID)
		if err != nil {
			return res, fmt.Errorf("apply bounce %s: %w", m.ProviderMessageID, err)
		}
		for _, msg := range conv.Messages {
			if msg.Direction != helpdesk.Outbound || !strings.EqualFold(msg.EmailMessageID, id) {
				continue
			}
			res.TicketID, res.MessageID = ticketID, msg.ID
			if msg.Status == helpdesk.StatusFailed {
				continue // a redelivered bounce
			}
			reason := "bounced"
			if m.Email.KindReason != "" {
				reason += ": " + m.Email.KindReason
			}
			if err := s.Store.SetMessageStatus(ctx, msg, msg.Status, helpdesk.StatusFailed, msg.ProviderMessageID, reason); err != nil &&
				!errors.Is(err, store.ErrVersionChanged) {
				return res, fmt.Errorf("apply bounce %s: %w", m.ProviderMessageID, err)
			}
			s.Log.InfoContext(ctx, "outbound message bounced", "ticket_id", ticketID, "message_id", msg.ID)
		}
	}
	return res, nil
}

// match is where a message threads, if anywhere.
type match struct {
	ticket *helpdesk.Ticket
	key    string
	reason string
	note   string          // why a candidate key was passed over, for the record
	taken  map[string]bool // lookup keys that belong to a ticket passed over
}

// findThread tries the lookup keys in order. A key that needs a participant
// is passed over when the sender never wrote on that ticket; a ticket closed
// longer ago than the channel allows is passed over too (a new ticket starts).
func (s *Service) findThread(ctx context.Context, th threading.Thread, senderKey string, ch helpdesk.Channel) (match, error) {
	var m match
	for _, k := range th.Lookup {
		ticketID, _, err := s.Store.FindThread(ctx, []string{k.Key})
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return m, err
		}
		// A key of a merged ticket leads to the ticket it was merged into,
		// however many merges on (a merge too large to repoint every key
		// leaves some with the merged ticket: ticket.Merge).
		t, err := s.showing(ctx, ticketID)
		if err == nil && t.ID == ticketID && !slices.Contains(t.ThreadKeys, k.Key) {
			// The key may have moved between the two reads (an unmerge takes
			// the secondary's keys back from the ticket they led to, whose
			// list no longer has it): read it again, so the message goes
			// where the key leads now. (Read before the move, the ticket's
			// version would fail the commit instead.)
			if again, _, rerr := s.Store.FindThread(ctx, []string{k.Key}); rerr == nil && again != ticketID {
				ticketID = again
				t, err = s.showing(ctx, ticketID)
			}
		}
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since; its keys are going too
		}
		if err != nil {
			return m, err
		}
		if k.RequireParticipant && !slices.Contains(t.Participants, senderKey) {
			m.note = "subject_reference_from_non_participant:" + ticketID
			m.pass(k.Key)
			continue
		}
		if ch.Email != nil && ch.Email.NewTicketAfterDays > 0 && t.State == helpdesk.StateClosed &&
			s.Now().Sub(t.ClosedAt) > time.Duration(ch.Email.NewTicketAfterDays)*24*time.Hour {
			m.note = "closed_too_long_ago:" + ticketID
			m.pass(k.Key)
			continue
		}
		return match{ticket: &t, key: k.Key, reason: k.Reason}, nil
	}
	return m, nil
}

func (m *match) pass(key string) {
	if m.taken == nil {
		m.taken = map[string]bool{}
	}
	m.taken[key] = true
}

// without returns keys less skip: a key that just matched is registered
// already and writing it again would cost a write for nothing.
func without(keys []string, skip string) []string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if k != skip {
			out = append(out, k)
		}
	}
	return out
}

// messageNamespace derives message ids from (channel, provider id), so a
// redelivered message always has the same id.
var messageNamespace = uuid.MustParse("6f1d8c2e-5b0a-4c39-9a51-3e7d2c4b8f10")

// MessageID is the id of the message a provider message becomes.
func MessageID(scope, providerMessageID string) string {
	return uuid.NewSHA1(messageNamespace, []byte(scope+"\x00"+providerMessageID)).String()
}

func (s *Service) message(m *helpdesk.InboundMessage) helpdesk.Message {
	return helpdesk.Message{
		ID:                MessageID(m.DedupeScope(), m.ProviderMessageID),
		Direction:         helpdesk.Inbound,
		ChannelID:         m.ChannelID,
		ChannelKind:       m.Channel,
		ProviderMessageID: m.ProviderMessageID,
		Subject:           m.Subject,
		Text:              m.Text,
		Quoted:            m.Quoted,
		HTML:              m.HTML,
		QuotedHTML:        m.QuotedHTML,
		Attachments:       m.Attachments,
		Submission:        withRaw(m.Submission, m.Raw),
		CreatedAt:         m.ReceivedAt.UTC(),
		BodyKey:           m.BodyLocation,
		RawKey:            rawKey(m.RawLocation),
		Truncated:         m.BodyLocation != "",
		ReplyTo:           replyTo(m),
	}
}

func newContactFor(m *helpdesk.InboundMessage, now time.Time) helpdesk.Contact {
	return helpdesk.Contact{
		ID: uuid.NewString(), Name: senderName(m.Sender), Email: m.Sender.Email,
		PSID: m.Sender.PSID, PageID: m.Sender.PageID, WhatsAppID: m.Sender.WhatsAppID,
		WhatsAppUserID: m.Sender.WhatsAppUserID,
		CreatedAt:      now.UTC(),
	}
}

// rawKey is the bucket key of s3://bucket/key (the raw mail), or "".
func rawKey(location string) string {
	rest, ok := strings.CutPrefix(location, "s3://")
	if !ok {
		return ""
	}
	_, key, _ := strings.Cut(rest, "/")
	return key
}
