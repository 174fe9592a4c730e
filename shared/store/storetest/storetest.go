// Package storetest is the contract of the tenant's store, as one suite run
// against every implementation: the DynamoDB store (shared/store, on
// DynamoDB Local) and the in-memory one (shared/store/memstore). A case
// that passes on one and fails on the other is a difference the callers
// would see; the suite is where such differences are settled.
package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Store is everything the tenant's store does: the union of the ports that
// use it (ingest, desk, routing, outbox, send, settings) and what seeding
// and tests write.
type Store interface {
	PortalStore // portal.go
	SetAway(ctx context.Context, agentID string, away bool) (helpdesk.Agent, error)
	// Filtered view partitions and saved views (the agent API's ViewStore).
	QueryTickets(ctx context.Context, q helpdesk.TicketQuery, after string, forward bool, limit int32) ([]helpdesk.Ticket, string, error)
	CountTickets(ctx context.Context, q helpdesk.TicketQuery, upTo int) (int, bool, error)
	SortKeys(ctx context.Context, q helpdesk.TicketQuery, by, after string, asc bool) ([]helpdesk.Keyed, error)
	GetTickets(ctx context.Context, ids []string) ([]helpdesk.Ticket, error)
	PutView(ctx context.Context, v helpdesk.View) error
	GetView(ctx context.Context, id string) (helpdesk.View, error)
	DeleteView(ctx context.Context, id string) error
	ListViews(ctx context.Context, holders []string) ([]helpdesk.View, error)
	FindAgentBySub(ctx context.Context, sub string) (helpdesk.Agent, error)
	ListTeams(ctx context.Context) ([]helpdesk.Team, error)
	// Tickets: the ticket model's changes, and what reads them back.
	Commit(ctx context.Context, c ticket.Change) error
	GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error)
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	ListTickets(ctx context.Context, state helpdesk.State, limit int32) ([]helpdesk.Ticket, error)
	FindThread(ctx context.Context, keys []string) (ticketID, key string, err error)
	FindDedupe(ctx context.Context, key string) (ticket.Dedupe, error)
	NextTicketNumber(ctx context.Context) (string, error)
	ReserveTicketNumber(ctx context.Context, dedupeKey string) (string, error)
	Notifications(ctx context.Context, recipient string, limit int32) ([]helpdesk.Notification, error)
	Timeline(ctx context.Context, t helpdesk.Ticket, q helpdesk.TimelineQuery) ([]helpdesk.TimelineEntry, string, error)
	ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error)
	GetContacts(ctx context.Context, ids []string) (map[string]helpdesk.Contact, error)
	// The notification feed, the tickets it is about, and preferences.
	TicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error)
	ListNotifications(ctx context.Context, recipient string, unreadOnly bool, after string, limit int32) ([]helpdesk.Notification, string, error)
	MarkNotificationRead(ctx context.Context, recipient string, at time.Time, id string, now time.Time) error
	SetNotificationEmail(ctx context.Context, recipient string, at time.Time, id, status, reason string) error
	MarkNotificationsRead(ctx context.Context, recipient string, upTo, now time.Time, max int) (int, bool, error)
	SetNotifyPrefs(ctx context.Context, agentID string, prefs helpdesk.NotifyPrefs) (helpdesk.Agent, error)

	// The transactional outbox.
	PendingOutbox(ctx context.Context, ticketID string) (map[string]string, error)
	ClearOutbox(ctx context.Context, ticketID string, ids []string) error
	PendingOutboxes(ctx context.Context, before time.Time, after string, limit int32) ([]string, string, error)
	LeaveOutboxIndex(ctx context.Context, ticketID string) error

	// What routing reads.
	Loads(ctx context.Context, agentIDs []string, typ helpdesk.TicketType, now time.Time) (map[string]routing.Load, error)
	NextSlot(ctx context.Context, rotation string) (int64, error)
	GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error)
	TeamMembers(ctx context.Context, ids []string) (map[string][]string, error)

	// The directory.
	FindContactID(ctx context.Context, senderKey string) (string, error)
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	CreateContact(ctx context.Context, c helpdesk.Contact, senderKey string) error
	SetConsent(ctx context.Context, contactID string, c helpdesk.Consent) error
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
	PutChannel(ctx context.Context, c helpdesk.Channel) error
	CreateChannel(ctx context.Context, c helpdesk.Channel) error
	GetAgent(ctx context.Context, id string) (helpdesk.Agent, error)
	PutAgent(ctx context.Context, a helpdesk.Agent) error
	CreateAgent(ctx context.Context, a helpdesk.Agent) error
	// Satisfaction ratings (csat.go).
	PutRating(ctx context.Context, r helpdesk.Rating) error
	GetRating(ctx context.Context, ticketID string) (helpdesk.Rating, error)
	Ratings(ctx context.Context, from, to time.Time) ([]helpdesk.Rating, error)
	DeleteRating(ctx context.Context, ticketID string) error // the purge (csatpurge.go)
	// SLA outcomes (slaoutcome.go, issue 15).
	SLAOutcomes(ctx context.Context, from, to time.Time) ([]helpdesk.SLAOutcome, error)
	DeleteSLAOutcomes(ctx context.Context, ticketID string) error
	PutTeam(ctx context.Context, t helpdesk.Team) error
	CreateTeam(ctx context.Context, t helpdesk.Team) error

	// Messages held for consent.
	HoldMessage(ctx context.Context, m *helpdesk.InboundMessage, until time.Time) error
	HeldMessages(ctx context.Context, channelID, senderKey string, now time.Time) ([]helpdesk.InboundMessage, error)
	ReleaseHeld(ctx context.Context, channelID, senderKey string) error
	ConsentAsked(ctx context.Context, channelID, senderKey string, now time.Time) (bool, error)
	MarkConsentAsked(ctx context.Context, channelID, senderKey string, at, until time.Time) error

	// Delivery of our outbound messages.
	SetMessageStatus(ctx context.Context, m helpdesk.Message, from, to helpdesk.MessageStatus, providerID, reason string) error
	ApplyStatusReport(ctx context.Context, r helpdesk.StatusReport) (helpdesk.Message, bool, error)
	// A message by its provider id, and what happens to it afterwards.
	FindMessage(ctx context.Context, channelID, dedupeScope, providerMessageID string) (helpdesk.MessageRef, error)
	GetMessage(ctx context.Context, ref helpdesk.MessageRef) (helpdesk.Message, error)
	AdvanceMessageStatus(ctx context.Context, ref helpdesk.MessageRef, r helpdesk.StatusReport) (helpdesk.Message, bool, error)

	// The tenant's settings.
	GetSettings(ctx context.Context) (helpdesk.Settings, error)
	PutSettings(ctx context.Context, set helpdesk.Settings, expectVersion int64) error
	CreateSettingsIfMissing(ctx context.Context, set helpdesk.Settings) error

	// Saved replies, and the email channels that answer form tickets.
	GetSavedReply(ctx context.Context, id string) (helpdesk.SavedReply, error)
	PutSavedReply(ctx context.Context, r helpdesk.SavedReply) error
	DeleteSavedReply(ctx context.Context, id string) error
	ListSavedReplies(ctx context.Context) ([]helpdesk.SavedReply, error)
	EmailChannels(ctx context.Context) ([]helpdesk.Channel, error)
	SearchStore
	// Admins' changes and their audit trail (admin.go).
	CommitAdmin(ctx context.Context, c helpdesk.AdminChange) error
	ListAgents(ctx context.Context) ([]helpdesk.Agent, error)
	ListChannels(ctx context.Context) ([]helpdesk.Channel, error)
	GetTeam(ctx context.Context, id string) (helpdesk.Team, error)
	ListAudit(ctx context.Context, after string, limit int32) ([]helpdesk.AuditEntry, string, error)
	// Filtered mail (filtered.go).
	FilteredStore
	// Form submissions' content fingerprints (submissions.go).
	ClaimSubmission(ctx context.Context, key, id string, now, until time.Time) (string, error)
	// Blocked senders and the purge's part in the store (spam.go).
	SpamStore
	// The purge cascade (purge.go).
	PurgeStore
	// The desk clock (clock.go).
	Tick(ctx context.Context, at time.Time) error
	Clock(ctx context.Context) (helpdesk.DeskClock, error)
	SetSignedOut(ctx context.Context, agentID string, at time.Time) (helpdesk.Agent, error)
	// Customers' notification opt-outs (customernotify.go).
	CustomerNotifyStore
	// The portal's read side: visits, term records (portalreads.go).
	PortalReadsStore
	// The SLA sweep's due-date index (slacheck.go).
	SLACheckStore
}

// Open returns a new, empty store whose own timestamps (dedupe records,
// delivery status times, settings writes) come from now.
type Open func(t *testing.T, now func() time.Time) Store

// T0 is when every case starts.
var T0 = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

// Run runs every case of the contract against the stores open returns,
// each case on a store of its own, in parallel.
func Run(t *testing.T, open Open) {
	cases := []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{
		// Commit and the ticket model.
		{"CreateTicketWritesEverythingAndReadsBack", testCreateTicketWritesEverythingAndReadsBack},
		{"CreateTicketReportsWhichRaceWasLost", testCreateTicketReportsWhichRaceWasLost},
		{"AppendIsIdempotentAndConditionedOnTheVersion", testAppendIsIdempotentAndConditionedOnTheVersion},
		{"ConcurrentCreatesWithOneThreadKeyYieldOneTicket", testConcurrentCreatesWithOneThreadKeyYieldOneTicket},
		{"CommitIsAllOrNothing", testCommitIsAllOrNothing},
		{"RefusedChangesWriteNothing", testRefusedChangesWriteNothing},
		{"EveryModelChangeReadsBack", testEveryModelChangeReadsBack},
		{"MergedConversationsShowRecursively", testMergedConversationsShowRecursively},
		{"MergeRepointsThreadKeys", testMergeRepointsThreadKeys},
		{"UnmergeMovesMessages", testUnmergeMovesMessages}, // merge.go
		{"DeleteRemovesConversationAndThreadKeys", testDeleteRemovesConversationAndThreadKeys},
		{"TwoDaysOfOneLoadItemAreWrittenOnce", testTwoDaysOfOneLoadItemAreWrittenOnce},
		{"ThreadKeys", testThreadKeys},
		{"DedupeRecordsOutliveTheirTTL", testDedupeRecordsOutliveTheirTTL},
		{"ValuesAreCopies", testValuesAreCopies},
		{"ContactUpdateWithTheChange", testContactUpdateWithTheChange},
		{"MailRecordsReadBack", testMailRecordsReadBack},
		// Views, loads and the outbox.
		{"LoadsCountTheWindow", testLoadsCountTheWindow},
		{"LoadConditions", testLoadConditions},
		{"OutboxIndex", testOutboxIndex},
		{"ListTicketsNewestFirst", testListTicketsNewestFirst},
		{"FilteredViewPartitions", testFilteredViewPartitions},
		{"CountsStopAtTheirBound", testCountsStopAtTheirBound},
		{"SavedViews", testSavedViews},
		{"NotificationsNewestFirst", testNotificationsNewestFirst},
		{"NotificationFeedPagesAndMarksRead", testNotificationFeedPagesAndMarksRead},
		{"TicketHeadersAndFollowersReadBack", testTicketHeadersAndFollowersReadBack},
		{"SetNotifyPrefs", testSetNotifyPrefs},
		{"CountersAreUniqueUnderConcurrency", testCountersAreUniqueUnderConcurrency},
		{"ReservedNumbersAreKeptPerMessage", testReservedNumbersAreKeptPerMessage},
		{"NotificationEmailStatusIsRecorded", testNotificationEmailStatusIsRecorded},
		// Delivery, consent, directory, settings.
		{"SetMessageStatusIsConditionedOnFrom", testSetMessageStatusIsConditionedOnFrom},
		{"StatusReportsOnlyMoveForward", testStatusReportsOnlyMoveForward},
		{"MessagesFoundByProviderIDAndRevised", testMessagesFoundByProviderIDAndRevised},
		{"ConsentHoldsAndTheirExpiry", testConsentHoldsAndTheirExpiry},
		{"Contacts", testContacts},
		{"Directory", testDirectory},
		{"AgentsBySubAndTeams", testAgentsBySubAndTeams},
		{"RatingsOncePerTicketAndByPeriod", testRatingsOncePerTicketAndByPeriod}, // csat.go
		{"RatingGoesWithItsTicket", testRatingGoesWithItsTicket},                 // csatpurge.go
		{"CreateDirectoryEntriesKeepExisting", testCreateDirectoryEntriesKeepExisting},
		{"SettingsCreateGetPut", testSettingsCreateGetPut},
		{"PutSettingsConditions", testPutSettingsConditions},
		{"PutSettingsConcurrentEditsDoNotOverwrite", testPutSettingsConcurrentEditsDoNotOverwrite},
		{"CreateSettingsIfMissingConcurrent", testCreateSettingsIfMissingConcurrent},
		// A ticket's page.
		{"TimelinePagesMergedPartitions", testTimelinePagesMergedPartitions},
		{"ContactTicketsAndContacts", testContactTicketsAndContacts},
		{"SavedRepliesAndEmailChannels", testSavedRepliesAndEmailChannels},
		{"SearchIndex", testSearchIndex},
		{"ContactDirectory", testContactDirectory},
		// Admins' changes.
		{"AdminChangesAreConditionedAndAudited", testAdminChangesAreConditionedAndAudited},
		{"AdminChangeIsAllOrNothing", testAdminChangeIsAllOrNothing},
		{"ConcurrentAdminEditsDoNotOverwrite", testConcurrentAdminEditsDoNotOverwrite},
		{"AuditTrailPagesNewestFirst", testAuditTrailPagesNewestFirst},
		// Filtered mail.
		{"FilteredMail", testFilteredMail},
		// Form submissions.
		{"SubmissionClaimsHoldUntilTheyExpire", testSubmissionClaimsHoldUntilTheyExpire},
		// Split (split.go).
		{"SplitMovesMessagesAndTheirKeys", testSplitMovesMessagesAndTheirKeys},
		// Spam and delete.
		{"BlockedSenders", testBlockedSenders},
		{"SpamReadsBackAndPurgeIsIdempotent", testSpamReadsBackAndPurgeIsIdempotent},
		// The purge cascade.
		{"PurgeRemovesOnlyTheTicketsOwnItems", testPurgeRemovesOnlyTheTicketsOwnItems},
		{"SpamExpiry", testSpamExpiry},
		// The desk clock.
		{"DeskClockMovesForward", testDeskClockMovesForward},
		{"SetSignedOut", testSetSignedOut},
		// The customer portal (portal.go).
		{"PortalGrantsSessionsAndRates", testPortalGrantsSessionsAndRates},
		// Customer notifications (customernotify.go).
		{"CustomerOptOutsAndSwitches", testCustomerOptOutsAndSwitches},
		// The portal's read side (portalreads.go).
		{"PortalVisitsAndTermRecords", testPortalVisitsAndTermRecords},
		// The SLA sweep's due-date index (slacheck.go).
		{"DueSLAChecks", testDueSLAChecks},
		// SLA clocks and settings (sla.go, issue 15).
		{"SLARoundTrips", testSLARoundTrips},
		// SLA outcomes for the report (slaoutcome.go).
		{"SLAOutcomes", testSLAOutcomes},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			clk := &clock{now: T0}
			f := &fixture{t: t, ctx: context.Background(), clk: clk, set: helpdesk.DefaultSettings()}
			f.st = open(t, clk.Now)
			c.run(t, f)
		})
	}
}

// clock is a store's clock, moved by its case.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// fixture is one case's store and what its helpers need.
type fixture struct {
	t   *testing.T
	ctx context.Context
	st  Store
	clk *clock
	set helpdesk.Settings
}

// The channels and agents the model-driven cases use.
var (
	formChannel = helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Name: "Contact form",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}}
	mailChannel = helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Name: "Support",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}
)

func agent(id string) helpdesk.Agent {
	return helpdesk.Agent{ID: id, Email: id + "@acme.example", Name: id, Seat: true, Active: true, CreatedAt: T0}
}

// arrival decides a new ticket id for a form message from sender at `at`
// (ticket.Open), owning keys; the sender's contact is created with it
// unless it exists. Nothing is written.
func (f *fixture) arrival(id, sender string, at time.Time, keys ...string) ticket.Change {
	f.t.Helper()
	key := helpdesk.Sender{Email: sender}.Key(helpdesk.ChannelForm)
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: formChannel.ID,
		ProviderMessageID: "pm-" + id, ReceivedAt: at, Sender: helpdesk.Sender{Email: sender, Name: "Customer"},
		Subject: "Question " + id, Text: "Question " + id + "?", Submission: map[string]string{"order": id}}
	msg := helpdesk.Message{ID: "m-" + id, Direction: helpdesk.Inbound, ChannelID: formChannel.ID, ChannelKind: helpdesk.ChannelForm,
		ProviderMessageID: m.ProviderMessageID, Subject: m.Subject, Text: m.Text, Submission: m.Submission, CreatedAt: at,
		Attachments: []helpdesk.Attachment{{Name: "order.pdf", ContentType: "application/pdf", Size: 10, Key: "files/" + id}}}
	contactID, err := f.st.FindContactID(f.ctx, key)
	var contact *helpdesk.Contact
	switch {
	case errors.Is(err, store.ErrNotFound):
		contact = &helpdesk.Contact{ID: "c-" + id, Email: sender, CreatedAt: at}
		contactID = contact.ID
	case err != nil:
		f.t.Fatal(err)
	}
	msg.AuthorContactID = contactID
	c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: formChannel, ContactID: contactID,
		SenderKey: key, ThreadKeys: keys, NewContact: contact != nil}, f.set, at)
	c.Dedupe = &ticket.Dedupe{Key: store.DedupeKey(formChannel.ID, m.ProviderMessageID), TicketID: id, MessageID: msg.ID}
	if contact != nil {
		c.Contact = &ticket.NewContact{Contact: *contact, Key: key}
	}
	return c
}

// route assigns the new ticket of c to owner as the router would (ticket.Route).
func route(c *ticket.Change, owner helpdesk.Agent, expect *routing.Load, now time.Time) {
	ticket.Route(c, routing.Plan{
		Decision: routing.Decision{OwnerID: owner.ID, Record: helpdesk.RoutingRecord{Rule: helpdesk.RouteUsersTeams,
			Distribution: helpdesk.DistLoadBalanced, Reason: routing.ReasonFewestOpen, OwnerID: owner.ID,
			Candidates: []helpdesk.Candidate{{AgentID: owner.ID, Eligible: true}}}},
		Recipients: map[string]helpdesk.Agent{owner.ID: owner},
		Expect:     expect,
	}, now)
}

// open commits a new ticket (see arrival) and returns it.
func (f *fixture) open(id, sender string, at time.Time, keys ...string) helpdesk.Ticket {
	f.t.Helper()
	c := f.arrival(id, sender, at, keys...)
	f.commit(c)
	return *c.Ticket()
}

// commit writes c, which must succeed.
func (f *fixture) commit(c ticket.Change) {
	f.t.Helper()
	if err := f.st.Commit(f.ctx, c); err != nil {
		f.t.Fatal(err)
	}
}

// change reads ticket id, lets decide change it and commits the change;
// it returns the change.
func (f *fixture) change(id string, decide func(t helpdesk.Ticket) (ticket.Change, error)) ticket.Change {
	f.t.Helper()
	c, err := decide(f.header(id))
	if err != nil {
		f.t.Fatalf("decide a change of ticket %s: %v", id, err)
	}
	f.commit(c)
	return c
}

func (f *fixture) header(id string) helpdesk.Ticket {
	f.t.Helper()
	t, err := f.st.GetTicketHeader(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func (f *fixture) conv(id string) helpdesk.Conversation {
	f.t.Helper()
	c, err := f.st.GetTicket(f.ctx, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// load returns an agent's counted tickets of the form's type at the clock's now.
func (f *fixture) load(agentID string) routing.Load {
	f.t.Helper()
	l, err := f.st.Loads(f.ctx, []string{agentID}, helpdesk.TypeEmailOther, f.clk.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	return l[agentID]
}

// owner returns the ticket a thread key leads to ("" for none).
func (f *fixture) owner(key string) string {
	f.t.Helper()
	id, _, err := f.st.FindThread(f.ctx, []string{key})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return ""
	case err != nil:
		f.t.Fatal(err)
	}
	return id
}

func (f *fixture) notes(recipient string) []helpdesk.Notification {
	f.t.Helper()
	ns, err := f.st.Notifications(f.ctx, recipient, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	return ns
}

func (f *fixture) list(state helpdesk.State) []string {
	f.t.Helper()
	ts, err := f.st.ListTickets(f.ctx, state, 100)
	if err != nil {
		f.t.Fatal(err)
	}
	ids := make([]string, len(ts))
	for i, t := range ts {
		ids[i] = t.ID
	}
	return ids
}

func (f *fixture) pending(before time.Time, limit int32) []string {
	f.t.Helper()
	ids, _, err := f.st.PendingOutboxes(f.ctx, before, "", limit)
	if err != nil {
		f.t.Fatal(err)
	}
	return ids
}

// wantErr fails unless err is want (errors.Is).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

// ids returns the ids of messages, in order.
func ids(ms []helpdesk.Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}
