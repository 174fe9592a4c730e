package storetest

import (
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds the cases of delivery status, consent holds, contacts,
// the directory and the settings.

// outbound commits queued outbound messages on ticket 1 (opened if need
// be), as a reply would, and returns them.
func (f *fixture) outbound(ids ...string) []helpdesk.Message {
	f.t.Helper()
	if _, err := f.st.GetTicketHeader(f.ctx, "1"); errors.Is(err, store.ErrNotFound) {
		f.open("1", "cust@example.com", T0)
	}
	var ms []helpdesk.Message
	for i, id := range ids {
		ms = append(ms, helpdesk.Message{ID: id, TicketID: "1", Direction: helpdesk.Outbound, ChannelID: "wa", ChannelKind: helpdesk.ChannelWhatsApp,
			Text: "hello", Status: helpdesk.StatusQueued, CreatedAt: T0.Add(time.Duration(i+1) * time.Minute)})
	}
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		after := t
		after.Version++
		after.MessageCount += len(ms)
		return ticket.Change{Tickets: []ticket.Write{{Before: &t, After: &after}}, Messages: ms}, nil
	})
	return ms
}

// message reads message id of ticket 1.
func (f *fixture) message(id string) helpdesk.Message {
	f.t.Helper()
	for _, m := range f.conv("1").Messages {
		if m.ID == id {
			return m
		}
	}
	f.t.Fatalf("message %s not found", id)
	return helpdesk.Message{}
}

// A status move is conditioned on the status it moves from (so a
// redelivered send job cannot send twice) and registers the provider's id
// with it, which belongs to one message.
func testSetMessageStatusIsConditionedOnFrom(t *testing.T, f *fixture) {
	ms := f.outbound("o1", "o2")
	f.clk.Set(T0.Add(time.Hour))
	if err := f.st.SetMessageStatus(f.ctx, ms[0], helpdesk.StatusQueued, helpdesk.StatusSent, "wamid.1", ""); err != nil {
		t.Fatal(err)
	}
	m := f.message("o1")
	if m.Status != helpdesk.StatusSent || m.ProviderMessageID != "wamid.1" || !m.StatusAt.Equal(T0.Add(time.Hour)) || m.StatusReason != "" {
		t.Fatalf("after queued → sent: %+v", m)
	}
	wantErr(t, "queued → sent again", f.st.SetMessageStatus(f.ctx, ms[0], helpdesk.StatusQueued, helpdesk.StatusSent, "wamid.1", ""), store.ErrVersionChanged)
	missing := ms[0]
	missing.ID = "nope"
	wantErr(t, "a missing message", f.st.SetMessageStatus(f.ctx, missing, helpdesk.StatusQueued, helpdesk.StatusSent, "", ""), store.ErrVersionChanged)
	inbound := f.message("m-1")
	wantErr(t, "a message with no delivery status", f.st.SetMessageStatus(f.ctx, inbound, "", helpdesk.StatusSent, "", ""), store.ErrVersionChanged)

	// Another message cannot take the provider's id, and is not moved.
	err := f.st.SetMessageStatus(f.ctx, ms[1], helpdesk.StatusQueued, helpdesk.StatusSent, "wamid.1", "")
	if !helpdesk.IsCode(err, helpdesk.EConflict) || helpdesk.ErrorReason(err) != "provider_id_taken" {
		t.Fatalf("another message's provider id: %v, want EConflict provider_id_taken", err)
	}
	if m := f.message("o2"); m.Status != helpdesk.StatusQueued || m.ProviderMessageID != "" {
		t.Fatalf("a refused status move wrote: %+v", m)
	}
	// The same message may record it again; a failure keeps its reason.
	if err := f.st.SetMessageStatus(f.ctx, ms[0], helpdesk.StatusSent, helpdesk.StatusFailed, "wamid.1", "bounced"); err != nil {
		t.Fatal(err)
	}
	if m := f.message("o1"); m.Status != helpdesk.StatusFailed || m.StatusReason != "bounced" {
		t.Fatalf("after sent → failed: %+v", m)
	}
	if m, changed, err := f.st.ApplyStatusReport(f.ctx, helpdesk.StatusReport{ChannelID: "wa", ProviderMessageID: "wamid.1",
		Status: helpdesk.StatusDelivered, At: T0}); err != nil || changed || m.ID != "o1" || m.Status != helpdesk.StatusFailed {
		t.Fatalf("a report after failed: %+v %v %v", m, changed, err)
	}
}

// Delivery reports move a message forward only: they arrive out of order.
func testStatusReportsOnlyMoveForward(t *testing.T, f *fixture) {
	ms := f.outbound("o1", "o2")
	for i, m := range ms {
		if err := f.st.SetMessageStatus(f.ctx, m, helpdesk.StatusQueued, helpdesk.StatusSent, "wamid."+m.ID, ""); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	report := func(id string, st helpdesk.MessageStatus, sec int, reason string) helpdesk.StatusReport {
		return helpdesk.StatusReport{ChannelID: "wa", ProviderMessageID: "wamid." + id, Status: st, Reason: reason,
			At: T0.Add(time.Duration(sec) * time.Second)}
	}
	steps := []struct {
		r       helpdesk.StatusReport
		want    helpdesk.MessageStatus
		changed bool
	}{
		{report("o1", helpdesk.StatusRead, 90, ""), helpdesk.StatusRead, true}, // read overtook delivered
		{report("o1", helpdesk.StatusDelivered, 80, ""), helpdesk.StatusRead, false},
		{report("o1", helpdesk.StatusSent, 70, ""), helpdesk.StatusRead, false},
		{report("o1", helpdesk.StatusFailed, 95, "late"), helpdesk.StatusRead, false}, // nothing after read
		{report("o2", helpdesk.StatusDelivered, 60, ""), helpdesk.StatusDelivered, true},
		{report("o2", helpdesk.StatusFailed, 61, "131047"), helpdesk.StatusFailed, true},
		{report("o2", helpdesk.StatusRead, 62, ""), helpdesk.StatusFailed, false},
	}
	for i, s := range steps {
		m, changed, err := f.st.ApplyStatusReport(f.ctx, s.r)
		if err != nil || changed != s.changed || m.Status != s.want || m.TicketID != "1" {
			t.Fatalf("step %d (%s): %+v changed %v err %v; want %s changed %v", i, s.r.Status, m, changed, err, s.want, s.changed)
		}
		if stored := f.message(m.ID); stored.Status != s.want {
			t.Fatalf("step %d: stored status %s, want %s", i, stored.Status, s.want)
		}
	}
	if m := f.message("o1"); !m.StatusAt.Equal(T0.Add(90 * time.Second)) {
		t.Fatalf("o1's status time %v, want the read report's", m.StatusAt)
	}
	if m := f.message("o2"); m.StatusReason != "131047" || !m.StatusAt.Equal(T0.Add(61*time.Second)) {
		t.Fatalf("o2 = %+v, want the failure's reason and time", m)
	}
	unknown := report("o1", helpdesk.StatusRead, 1, "")
	unknown.ProviderMessageID = "wamid.not-ours"
	if _, _, err := f.st.ApplyStatusReport(f.ctx, unknown); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a report for a message we do not know: %v, want ErrNotFound", err)
	}
	otherChannel := report("o1", helpdesk.StatusRead, 1, "")
	otherChannel.ChannelID = "wa2"
	if _, _, err := f.st.ApplyStatusReport(f.ctx, otherChannel); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a report on another channel: %v, want ErrNotFound", err)
	}
}

// Messages wait for consent until their expiry, per sender and channel,
// oldest first; the "consent asked" marker expires too; releasing drops both.
func testConsentHoldsAndTheirExpiry(t *testing.T, f *fixture) {
	const ch = "messenger:1"
	sender := helpdesk.Sender{PageID: "1", PSID: "42"}
	key := sender.Key(helpdesk.ChannelMessenger)
	msg := func(id string, at time.Time) *helpdesk.InboundMessage {
		return &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelMessenger, ChannelID: ch,
			ProviderMessageID: id, ReceivedAt: at, Sender: sender, Text: "text of " + id,
			Attachments: []helpdesk.Attachment{{Name: "a.jpg", ContentType: "image/jpeg", URL: "https://cdn.example/" + id}}}
	}
	held := func(now time.Time) []string {
		t.Helper()
		ms, err := f.st.HeldMessages(f.ctx, ch, key, now)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, m := range ms {
			out = append(out, m.ProviderMessageID)
		}
		return out
	}
	second := msg("m2", T0.Add(time.Minute))
	for _, h := range []struct {
		m     *helpdesk.InboundMessage
		until time.Time
	}{{second, T0.Add(2 * time.Hour)}, {msg("m1", T0), T0.Add(time.Hour)}, {second, T0.Add(2 * time.Hour)}} {
		if err := f.st.HoldMessage(f.ctx, h.m, h.until); err != nil {
			t.Fatal(err)
		}
	}
	if got := held(T0.Add(30 * time.Minute)); !slices.Equal(got, []string{"m1", "m2"}) {
		t.Fatalf("held = %v, want m1, m2 (oldest first, a redelivery held once)", got)
	}
	ms, _ := f.st.HeldMessages(f.ctx, ch, key, T0)
	if !reflect.DeepEqual(ms[1], *second) {
		t.Fatalf("held message reads back as %+v, want %+v", ms[1], *second)
	}
	if got := held(T0.Add(time.Hour - time.Second)); len(got) != 2 {
		t.Fatalf("held a second before m1 expires = %v", got)
	}
	if got := held(T0.Add(time.Hour)); !slices.Equal(got, []string{"m2"}) {
		t.Fatalf("held when m1 expires = %v, want m2", got)
	}
	for _, other := range [][2]string{{"messenger:2", key}, {ch, "messenger#1#43"}} {
		if ms, err := f.st.HeldMessages(f.ctx, other[0], other[1], T0); err != nil || len(ms) != 0 {
			t.Fatalf("held for %v = %v, %v", other, ms, err)
		}
	}

	asked := func(now time.Time) bool {
		t.Helper()
		ok, err := f.st.ConsentAsked(f.ctx, ch, key, now)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if asked(T0) {
		t.Fatal("consent asked before anyone asked")
	}
	if err := f.st.MarkConsentAsked(f.ctx, ch, key, T0, T0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if !asked(T0.Add(59*time.Minute)) || asked(T0.Add(time.Hour)) {
		t.Fatalf("consent asked: %v before expiry, %v at expiry; want true, false", asked(T0.Add(59*time.Minute)), asked(T0.Add(time.Hour)))
	}
	if ok, _ := f.st.ConsentAsked(f.ctx, "messenger:2", key, T0); ok {
		t.Fatal("consent asked on another channel")
	}

	if err := f.st.ReleaseHeld(f.ctx, ch, key); err != nil {
		t.Fatal(err)
	}
	if got := held(T0); len(got) != 0 || asked(T0) {
		t.Fatalf("after release: held %v, asked %v", got, asked(T0))
	}
	if err := f.st.ReleaseHeld(f.ctx, ch, key); err != nil {
		t.Fatalf("releasing nothing: %v", err)
	}
}

// A contact and its lookup key are created together, once per key and id;
// consent is recorded on a known contact only.
func testContacts(t *testing.T, f *fixture) {
	ann := helpdesk.Contact{ID: "c1", Name: "Ann", Email: "ann@example.com", OwnerID: "bob", CreatedAt: T0}
	if err := f.st.CreateContact(f.ctx, ann, "email#ann@example.com"); err != nil {
		t.Fatal(err)
	}
	if id, err := f.st.FindContactID(f.ctx, "email#ann@example.com"); err != nil || id != "c1" {
		t.Fatalf("FindContactID = %q, %v", id, err)
	}
	if got, err := f.st.GetContact(f.ctx, "c1"); err != nil || !reflect.DeepEqual(got, ann) {
		t.Fatalf("GetContact = %+v, %v; want %+v", got, err, ann)
	}
	wantErr(t, "another contact for the key", f.st.CreateContact(f.ctx, helpdesk.Contact{ID: "c2", CreatedAt: T0}, "email#ann@example.com"), store.ErrContactTaken)
	if _, err := f.st.GetContact(f.ctx, "c2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused contact exists: %v", err)
	}
	wantErr(t, "the contact again under another key", f.st.CreateContact(f.ctx, ann, "email#other@example.com"), store.ErrContactTaken)
	if _, err := f.st.FindContactID(f.ctx, "email#other@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused key exists: %v", err)
	}

	consent := helpdesk.Consent{Mode: helpdesk.ConsentExplicit, ChannelID: "messenger:1", Text: "May we?", At: T0, MessageID: "m_agree"}
	if err := f.st.SetConsent(f.ctx, "c1", consent); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.GetContact(f.ctx, "c1"); got.Consent == nil || *got.Consent != consent || got.Name != "Ann" {
		t.Fatalf("contact after consent = %+v", got)
	}
	wantErr(t, "consent of an unknown contact", f.st.SetConsent(f.ctx, "nobody", consent), store.ErrNotFound)
	if _, err := f.st.GetContact(f.ctx, "nobody"); !helpdesk.IsCode(err, helpdesk.ENotFound) {
		t.Fatalf("GetContact of nobody = %v", err)
	}
	if _, err := f.st.FindContactID(f.ctx, "email#nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("FindContactID of nobody = %v", err)
	}
}

// Channels, agents and teams read back as written; Put replaces; unknown
// ids are not found, or absent from batch reads.
func testDirectory(t *testing.T, f *fixture) {
	ch := helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Name: "Support",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new", Priority: helpdesk.PriorityHigh},
		Routing:  helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, TeamIDs: []string{"support"}},
		Email:    &helpdesk.EmailSettings{Address: "support@acme.example", NewTicketAfterDays: 3}, CreatedAt: T0}
	if err := f.st.PutChannel(f.ctx, ch); err != nil {
		t.Fatal(err)
	}
	if got, err := f.st.GetChannel(f.ctx, ch.ID); err != nil || !reflect.DeepEqual(got, ch) {
		t.Fatalf("GetChannel = %+v, %v; want %+v", got, err, ch)
	}
	ch.Name = "Renamed"
	if err := f.st.PutChannel(f.ctx, ch); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.GetChannel(f.ctx, ch.ID); got.Name != "Renamed" {
		t.Fatalf("PutChannel did not replace: %+v", got)
	}

	ann := agent("ann")
	ann.Skills, ann.TimeZone = []string{"en", "fr"}, "Europe/Paris"
	ann.Availability = helpdesk.Availability{Mode: helpdesk.AvailabilitySchedule,
		Hours:       []helpdesk.WorkingHours{{Day: time.Monday, Start: "09:00", End: "17:00"}},
		OutOfOffice: []helpdesk.Period{{From: T0, To: T0.Add(24 * time.Hour)}}}
	ann.Notify = helpdesk.NotifyPrefs{EmailOnAssignment: true}
	for _, a := range []helpdesk.Agent{ann, agent("bob")} {
		if err := f.st.PutAgent(f.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := f.st.GetAgent(f.ctx, "ann"); err != nil || !reflect.DeepEqual(got, ann) {
		t.Fatalf("GetAgent = %+v, %v; want %+v", got, err, ann)
	}
	agents, err := f.st.GetAgents(f.ctx, []string{"ann", "nobody", "bob", "ann"})
	if err != nil || len(agents) != 2 || !reflect.DeepEqual(agents["ann"], ann) || agents["bob"].Email != "bob@acme.example" {
		t.Fatalf("GetAgents = %+v, %v", agents, err)
	}
	if got, err := f.st.GetAgents(f.ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("GetAgents of none = %v, %v", got, err)
	}

	if err := f.st.PutTeam(f.ctx, helpdesk.Team{ID: "support", Name: "Support", MemberIDs: []string{"ann", "bob"}, CreatedAt: T0}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutTeam(f.ctx, helpdesk.Team{ID: "sales", Name: "Sales", MemberIDs: []string{"bob"}, CreatedAt: T0}); err != nil {
		t.Fatal(err)
	}
	members, err := f.st.TeamMembers(f.ctx, []string{"support", "nobody", "sales"})
	want := map[string][]string{"support": {"ann", "bob"}, "sales": {"bob"}}
	if err != nil || !reflect.DeepEqual(members, want) {
		t.Fatalf("TeamMembers = %v, %v; want %v", members, err, want)
	}

	for what, err := range map[string]error{
		"channel": func() error { _, err := f.st.GetChannel(f.ctx, "nope"); return err }(),
		"agent":   func() error { _, err := f.st.GetAgent(f.ctx, "nope"); return err }(),
	} {
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a missing %s: %v, want ErrNotFound", what, err)
		}
	}
}

// The Create methods (seeding) never change an existing item.
func testCreateDirectoryEntriesKeepExisting(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx

	a := helpdesk.Agent{ID: "ann", Name: "Ann", Email: "ann@acme.example", Seat: true, Active: true, CreatedAt: T0}
	if err := s.CreateAgent(ctx, a); err != nil {
		t.Fatal(err)
	}
	again := a
	again.Active, again.CreatedAt = true, T0.Add(time.Hour)
	a.Active = false
	if err := s.PutAgent(ctx, a); err != nil { // an admin deactivates her
		t.Fatal(err)
	}
	if err := s.CreateAgent(ctx, again); !errors.Is(err, store.ErrExists) || !helpdesk.IsCode(err, helpdesk.EConflict) {
		t.Errorf("CreateAgent of an existing agent = %v, want ErrExists", err)
	}
	if got, err := s.GetAgent(ctx, "ann"); err != nil || got.Active || !got.CreatedAt.Equal(T0) {
		t.Errorf("agent after CreateAgent over it = %+v, %v; want inactive, created %v", got, err, T0)
	}

	ch := helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Name: "Renamed by admin", CreatedAt: T0,
		Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}}
	if err := s.CreateChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	seed := ch
	seed.Name = "Website form"
	if err := s.CreateChannel(ctx, seed); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateChannel of an existing channel = %v, want ErrExists", err)
	}
	if got, err := s.GetChannel(ctx, "web"); err != nil || got.Name != ch.Name {
		t.Errorf("channel = %+v, %v; want name %q", got, err, ch.Name)
	}

	team := helpdesk.Team{ID: "support", Name: "Support", MemberIDs: []string{"ann"}, CreatedAt: T0}
	if err := s.CreateTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	team.MemberIDs = []string{"ann", "bob"}
	if err := s.CreateTeam(ctx, team); !errors.Is(err, store.ErrExists) {
		t.Errorf("CreateTeam of an existing team = %v, want ErrExists", err)
	}
	if got, err := s.TeamMembers(ctx, []string{"support"}); err != nil || !reflect.DeepEqual(got["support"], []string{"ann"}) {
		t.Errorf("team members = %v, %v; want [ann]", got, err)
	}
}

// defaults is helpdesk.DefaultSettings with stages of its own (the
// default's share helpdesk.DefaultPipeline's, which a case must not edit).
func defaults() helpdesk.Settings {
	s := helpdesk.DefaultSettings()
	for id, p := range s.Pipelines {
		p.Stages = slices.Clone(p.Stages)
		s.Pipelines[id] = p
	}
	return s
}

// edited is DefaultSettings as an admin might change them: a second
// pipeline, categories, other defaults.
func edited() helpdesk.Settings {
	s := defaults()
	s.Pipelines["sales"] = helpdesk.Pipeline{ID: "sales", Name: "Sales", Stages: []helpdesk.Stage{
		{ID: "lead", Name: "Lead"}, {ID: "won", Name: "Won", Closed: true}, {ID: "lost", Name: "Lost", Closed: true}}}
	s.Categories = []helpdesk.Category{{ID: "billing", Name: "Billing"}, {ID: "bug", Name: "Bug"}}
	s.Defaults = helpdesk.TicketDefaults{Pipeline: "sales", Status: "lead", Priority: helpdesk.PriorityHigh, Category: "billing"}
	return s
}

// sameContent compares settings without what the store sets.
func sameContent(a, b helpdesk.Settings) bool {
	a.Version, a.UpdatedAt, b.Version, b.UpdatedAt = 0, time.Time{}, 0, time.Time{}
	return reflect.DeepEqual(a, b)
}

func testSettingsCreateGetPut(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx

	if _, err := s.GetSettings(ctx); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetSettings before any = %v, want ErrNotFound", err)
	}
	if err := s.CreateSettingsIfMissing(ctx, helpdesk.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameContent(got, helpdesk.DefaultSettings()) || got.Version != 1 || !got.UpdatedAt.Equal(T0) {
		t.Fatalf("created settings read back as %+v", got)
	}

	// A second create (the next deploy, another function) keeps what is there.
	if err := s.CreateSettingsIfMissing(ctx, edited()); err != nil {
		t.Fatalf("CreateSettingsIfMissing over existing = %v, want nil", err)
	}
	if got, _ := s.GetSettings(ctx); !sameContent(got, helpdesk.DefaultSettings()) || got.Version != 1 {
		t.Fatalf("CreateSettingsIfMissing replaced existing settings: %+v", got)
	}

	// An admin edit at the version read; every field round-trips.
	f.clk.Set(T0.Add(time.Hour))
	if err := s.PutSettings(ctx, edited(), 1); err != nil {
		t.Fatal(err)
	}
	got, err = s.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameContent(got, edited()) || got.Version != 2 || !got.UpdatedAt.Equal(T0.Add(time.Hour)) {
		t.Fatalf("after PutSettings: %+v, want %+v at version 2", got, edited())
	}
	if err := got.Validate(); err != nil {
		t.Errorf("read-back settings do not validate: %v", err)
	}
}

func testPutSettingsConditions(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx

	if err := s.PutSettings(ctx, edited(), 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutSettings at version 3 of missing settings = %v, want ErrNotFound", err)
	}
	if err := s.PutSettings(ctx, edited(), 0); err != nil {
		t.Fatalf("PutSettings at version 0 (create) = %v", err)
	}
	if err := s.PutSettings(ctx, helpdesk.DefaultSettings(), 0); !errors.Is(err, store.ErrVersionChanged) {
		t.Errorf("second create = %v, want ErrVersionChanged", err)
	}
	if err := s.PutSettings(ctx, helpdesk.DefaultSettings(), 2); !errors.Is(err, store.ErrVersionChanged) {
		t.Errorf("PutSettings at a version never written = %v, want ErrVersionChanged", err)
	}

	bad := edited()
	bad.Defaults.Status = "won" // closes tickets
	if err := s.PutSettings(ctx, bad, 1); !helpdesk.IsCode(err, helpdesk.EInvalid) || helpdesk.ErrorReason(err) != "default_status_closed" {
		t.Errorf("PutSettings of invalid settings = %v, want EInvalid default_status_closed", err)
	}
	if err := s.CreateSettingsIfMissing(ctx, helpdesk.Settings{}); !helpdesk.IsCode(err, helpdesk.EInvalid) {
		t.Errorf("CreateSettingsIfMissing of empty settings = %v, want EInvalid", err)
	}
	if got, _ := s.GetSettings(ctx); !sameContent(got, edited()) || got.Version != 1 {
		t.Errorf("a refused write changed the settings: %+v", got)
	}
}

// Two admins edit the same version at once: exactly one wins, the others
// get ErrVersionChanged and nothing of theirs is written.
func testPutSettingsConcurrentEditsDoNotOverwrite(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	if err := s.CreateSettingsIfMissing(ctx, helpdesk.DefaultSettings()); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			v := helpdesk.DefaultSettings()
			v.Categories = []helpdesk.Category{{ID: "c", Name: string(rune('A' + i))}}
			errs[i] = s.PutSettings(ctx, v, 1)
		})
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil && won >= 0:
			t.Fatalf("edits %d and %d both succeeded", won, i)
		case err == nil:
			won = i
		case !errors.Is(err, store.ErrVersionChanged):
			t.Errorf("edit %d: %v, want ErrVersionChanged", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no edit succeeded")
	}
	got, err := s.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || len(got.Categories) != 1 || got.Categories[0].Name != string(rune('A'+won)) {
		t.Errorf("stored %+v, want the winner's (%d) at version 2", got, won)
	}
}

// Every function's first read on a new stack may try to create the
// settings: all succeed, one write lands.
func testCreateSettingsIfMissingConcurrent(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { errs[i] = s.CreateSettingsIfMissing(ctx, helpdesk.DefaultSettings()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("create %d: %v", i, err)
		}
	}
	if got, err := s.GetSettings(ctx); err != nil || got.Version != 1 {
		t.Errorf("GetSettings = %+v, %v; want version 1", got, err)
	}
}

// A signed-in user is found by their user-pool identity, with their role
// and permissions; a sub nobody has is not found. Teams list by name.
func testAgentsBySubAndTeams(t *testing.T, f *fixture) {
	ann := agent("ann")
	ann.Sub, ann.Role = "sub-ann", helpdesk.RoleAdmin
	ann.Permissions = helpdesk.Permissions{Scope: helpdesk.ScopeAll, DeleteTickets: true, ManageSettings: true}
	bob := agent("bob") // never signed in
	for _, a := range []helpdesk.Agent{ann, bob} {
		if err := f.st.PutAgent(f.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	got, err := eventually(func() (helpdesk.Agent, error) { return f.st.FindAgentBySub(f.ctx, "sub-ann") })
	if err != nil || !reflect.DeepEqual(got, ann) {
		t.Fatalf("FindAgentBySub = %+v, %v; want %+v", got, err, ann)
	}
	wantErr(t, "an unknown sub", func() error { _, err := f.st.FindAgentBySub(f.ctx, "sub-nobody"); return err }(), store.ErrNotFound)
	wantErr(t, "an empty sub", func() error { _, err := f.st.FindAgentBySub(f.ctx, ""); return err }(), store.ErrNotFound)

	// Setting oneself away changes that and nothing else of the record.
	away, err := f.st.SetAway(f.ctx, "ann", true)
	if err != nil || !away.Availability.Away || away.Role != helpdesk.RoleAdmin || away.Sub != "sub-ann" {
		t.Fatalf("SetAway = %+v, %v", away, err)
	}
	if got, _ := f.st.GetAgent(f.ctx, "ann"); !got.Availability.Away || got.Permissions != ann.Permissions {
		t.Fatalf("after SetAway: %+v", got)
	}
	if back, err := f.st.SetAway(f.ctx, "ann", false); err != nil || back.Availability.Away {
		t.Fatalf("SetAway(false) = %+v, %v", back, err)
	}
	wantErr(t, "SetAway of nobody", func() error { _, err := f.st.SetAway(f.ctx, "nobody", true); return err }(), store.ErrNotFound)

	if teams, err := f.st.ListTeams(f.ctx); err != nil || len(teams) != 0 || teams == nil {
		t.Fatalf("ListTeams with none = %#v, %v; want an empty list", teams, err)
	}
	for _, tm := range []helpdesk.Team{{ID: "t2", Name: "Billing", MemberIDs: []string{"bob"}}, {ID: "t1", Name: "Support", MemberIDs: []string{"ann", "bob"}}} {
		if err := f.st.PutTeam(f.ctx, tm); err != nil {
			t.Fatal(err)
		}
	}
	teams, err := f.st.ListTeams(f.ctx)
	if err != nil || len(teams) != 2 || teams[0].Name != "Billing" || teams[1].Name != "Support" || len(teams[1].MemberIDs) != 2 {
		t.Fatalf("ListTeams = %+v, %v; want Billing then Support", teams, err)
	}
}

// eventually retries a read of an eventually consistent index for up to a
// few seconds (DynamoDB's GSIs; the in-memory store answers at once).
func eventually[T any](read func() (T, error)) (T, error) {
	var v T
	var err error
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if v, err = read(); err == nil || time.Now().After(deadline) {
			return v, err
		}
	}
}
