package store_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// edited is DefaultSettings as an admin might change them: a second
// pipeline, categories, other defaults.
func edited() helpdesk.Settings {
	s := helpdesk.DefaultSettings()
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

func TestSettingsCreateGetPut(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()

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
	if !sameContent(got, helpdesk.DefaultSettings()) || got.Version != 1 || !got.UpdatedAt.Equal(t0) {
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
	if err := s.PutSettings(ctx, edited(), 1); err != nil {
		t.Fatal(err)
	}
	got, err = s.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sameContent(got, edited()) || got.Version != 2 {
		t.Fatalf("after PutSettings: %+v, want %+v at version 2", got, edited())
	}
	if err := got.Validate(); err != nil {
		t.Errorf("read-back settings do not validate: %v", err)
	}
}

func TestPutSettingsConditions(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()

	if err := s.PutSettings(ctx, edited(), 3); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutSettings at version 3 of missing settings = %v, want ErrNotFound", err)
	}
	if err := s.PutSettings(ctx, edited(), 0); err != nil {
		t.Fatalf("PutSettings at version 0 (create) = %v", err)
	}
	if err := s.PutSettings(ctx, helpdesk.DefaultSettings(), 0); !errors.Is(err, store.ErrVersionChanged) {
		t.Errorf("second create = %v, want ErrVersionChanged", err)
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
func TestPutSettingsConcurrentEditsDoNotOverwrite(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
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
func TestCreateSettingsIfMissingConcurrent(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()
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

// The Create methods (seeding) never change an existing item.
func TestCreateDirectoryEntriesKeepExisting(t *testing.T) {
	s, _, _ := newStore(t)
	ctx := context.Background()

	a := helpdesk.Agent{ID: "ann", Name: "Ann", Email: "ann@acme.example", Seat: true, Active: true, CreatedAt: t0}
	if err := s.CreateAgent(ctx, a); err != nil {
		t.Fatal(err)
	}
	again := a
	again.Active, again.CreatedAt = true, t0.Add(time.Hour)
	a.Active = false
	if err := s.PutAgent(ctx, a); err != nil { // an admin deactivates her
		t.Fatal(err)
	}
	if err := s.CreateAgent(ctx, again); !errors.Is(err, store.ErrExists) || !helpdesk.IsCode(err, helpdesk.EConflict) {
		t.Errorf("CreateAgent of an existing agent = %v, want ErrExists", err)
	}
	if got, err := s.GetAgent(ctx, "ann"); err != nil || got.Active || !got.CreatedAt.Equal(t0) {
		t.Errorf("agent after CreateAgent over it = %+v, %v; want inactive, created %v", got, err, t0)
	}

	ch := helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Name: "Renamed by admin", CreatedAt: t0,
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

	team := helpdesk.Team{ID: "support", Name: "Support", MemberIDs: []string{"ann"}, CreatedAt: t0}
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
