package storetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// This file holds the cases of admins' changes and their audit trail.

func audit(id string, at time.Time, kind helpdesk.AuditKind, entity string, before, after any) helpdesk.AuditEntry {
	e := helpdesk.AuditEntry{ID: id, At: at, ActorID: "ann", Kind: kind, EntityID: entity, Action: helpdesk.AuditUpdate}
	if before != nil {
		e.Before, _ = json.Marshal(before)
	} else {
		e.Action = helpdesk.AuditCreate
	}
	if after != nil {
		e.After, _ = json.Marshal(after)
	} else {
		e.Action = helpdesk.AuditDelete
	}
	return e
}

func (f *fixture) trail() []helpdesk.AuditEntry {
	f.t.Helper()
	es, next, err := f.st.ListAudit(f.ctx, "", 100)
	if err != nil || next != "" {
		f.t.Fatalf("ListAudit = %v, next %q", err, next)
	}
	return es
}

// Creates need the id free, updates and deletes the version read (0: an
// item written before it had one); each write lands with its audit entry.
func testAdminChangesAreConditionedAndAudited(t *testing.T, f *fixture) {
	bob := agent("bob") // seeded with a plain put: no version
	if err := f.st.PutAgent(f.ctx, bob); err != nil {
		t.Fatal(err)
	}
	team := helpdesk.Team{ID: "t1", Name: "Support", CreatedAt: T0, Version: 1}
	e1 := audit("a1", T0, helpdesk.AuditTeam, "t1", nil, team)
	if err := f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Teams: []helpdesk.Write[helpdesk.Team]{{After: &team}}, Audit: []helpdesk.AuditEntry{e1}}); err != nil {
		t.Fatal(err)
	}
	again := team
	again.Name = "Other"
	wantErr(t, "creating a team that exists", f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Teams: []helpdesk.Write[helpdesk.Team]{{After: &again}},
		Audit: []helpdesk.AuditEntry{audit("a-x", T0, helpdesk.AuditTeam, "t1", nil, again)}}), store.ErrExists)

	// bob joins the team and gets a skill: both items and two entries.
	bob2, team2 := bob, team
	bob2.Skills, bob2.Version = []string{"fr"}, 1
	team2.MemberIDs, team2.Version = []string{"bob"}, 2
	e2, e3 := audit("a2", T0.Add(time.Minute), helpdesk.AuditUser, "bob", bob, bob2), audit("a3", T0.Add(time.Minute), helpdesk.AuditTeam, "t1", team, team2)
	if err := f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Agents: []helpdesk.Write[helpdesk.Agent]{{Before: &bob, After: &bob2}},
		Teams: []helpdesk.Write[helpdesk.Team]{{Before: &team, After: &team2}}, Audit: []helpdesk.AuditEntry{e2, e3}}); err != nil {
		t.Fatal(err)
	}
	if got, err := f.st.GetAgent(f.ctx, "bob"); err != nil || !reflect.DeepEqual(got, bob2) {
		t.Fatalf("agent = %+v, %v; want %+v", got, err, bob2)
	}
	if got, err := f.st.GetTeam(f.ctx, "t1"); err != nil || !reflect.DeepEqual(got, team2) {
		t.Fatalf("team = %+v, %v; want %+v", got, err, team2)
	}
	// The same before again: refused, whichever item is stale.
	stale := bob2
	stale.Name = "Robert"
	wantErr(t, "an update at a version no longer stored", f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{
		Agents: []helpdesk.Write[helpdesk.Agent]{{Before: &bob, After: &stale}}}), store.ErrVersionChanged)
	wantErr(t, "deleting at an old version", f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{
		Teams: []helpdesk.Write[helpdesk.Team]{{Before: &team}}}), store.ErrVersionChanged)
	ghost := helpdesk.Team{ID: "ghost", Name: "Ghost"}
	wantErr(t, "updating a team that does not exist", f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{
		Teams: []helpdesk.Write[helpdesk.Team]{{Before: &ghost, After: &ghost}}}), store.ErrVersionChanged)

	// A channel and the settings, then the team's delete.
	ch := helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Name: "Form", CreatedAt: T0, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthHMAC, Secret: "s3cret"}}
	if err := f.st.PutChannel(f.ctx, ch); err != nil {
		t.Fatal(err)
	}
	ch2 := ch
	ch2.Disabled, ch2.Version = true, 1
	before, after := helpdesk.DefaultSettings(), edited()
	after.Version = 1
	if err := f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Channels: []helpdesk.Write[helpdesk.Channel]{{Before: &ch, After: &ch2}},
		Settings: &helpdesk.Write[helpdesk.Settings]{Before: &before, After: &after},
		Audit:    []helpdesk.AuditEntry{audit("a4", T0.Add(2*time.Minute), helpdesk.AuditChannel, "web", ch, ch2)}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.GetChannel(f.ctx, "web"); !reflect.DeepEqual(got, ch2) || got.Form.Secret != "s3cret" {
		t.Fatalf("channel = %+v, want %+v", got, ch2)
	}
	if got, err := f.st.GetSettings(f.ctx); err != nil || !sameContent(got, edited()) || got.Version != 1 {
		t.Fatalf("settings = %+v, %v", got, err)
	}
	bad := edited()
	bad.Defaults.Status, bad.Version = "won", 2
	if err := f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Settings: &helpdesk.Write[helpdesk.Settings]{Before: &after, After: &bad}}); !helpdesk.IsCode(err, helpdesk.EInvalid) {
		t.Fatalf("invalid settings: %v, want EInvalid", err)
	}
	wantErr(t, "settings at a stale version", f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Settings: &helpdesk.Write[helpdesk.Settings]{Before: &before, After: &after}}), store.ErrExists)

	e5 := audit("a5", T0.Add(3*time.Minute), helpdesk.AuditTeam, "t1", team2, nil)
	if err := f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Teams: []helpdesk.Write[helpdesk.Team]{{Before: &team2}}, Audit: []helpdesk.AuditEntry{e5}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.GetTeam(f.ctx, "t1"); !helpdesk.IsCode(err, helpdesk.ENotFound) {
		t.Fatalf("deleted team: %v", err)
	}
	if teams, _ := f.st.ListTeams(f.ctx); len(teams) != 0 {
		t.Fatalf("teams after delete: %+v", teams)
	}
	var got []string
	for _, e := range f.trail() {
		got = append(got, e.ID+":"+string(e.Action))
	}
	// a2 and a3 share a time: ids break the tie, newest (greatest) first.
	if want := []string{"a5:delete", "a4:update", "a3:update", "a2:update", "a1:create"}; !slices.Equal(got, want) {
		t.Fatalf("trail = %v, want %v", got, want)
	}
	if e := f.trail()[3]; !e.At.Equal(e2.At) || string(e.Before) != string(e2.Before) || string(e.After) != string(e2.After) ||
		e.ActorID != "ann" || e.Kind != helpdesk.AuditUser || e.EntityID != "bob" || e.Action != helpdesk.AuditUpdate {
		t.Fatalf("entry = %+v, want %+v", e, e2)
	}

	agents, err := f.st.ListAgents(f.ctx)
	if err != nil || len(agents) != 1 || agents[0].ID != "bob" {
		t.Fatalf("ListAgents = %+v, %v", agents, err)
	}
	channels, err := f.st.ListChannels(f.ctx)
	if err != nil || len(channels) != 1 || !channels[0].Disabled {
		t.Fatalf("ListChannels = %+v, %v", channels, err)
	}
}

// A change whose one item is stale writes nothing, its audit included.
func testAdminChangeIsAllOrNothing(t *testing.T, f *fixture) {
	ann, bob := agent("ann"), agent("bob")
	for _, a := range []helpdesk.Agent{ann, bob} {
		if err := f.st.PutAgent(f.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	staleBob := bob
	staleBob.Version = 7
	ann2, bob2 := ann, bob
	ann2.Name, ann2.Version, bob2.Name, bob2.Version = "Ann", 1, "Bob", 8
	err := f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Agents: []helpdesk.Write[helpdesk.Agent]{{Before: &ann, After: &ann2}, {Before: &staleBob, After: &bob2}},
		Audit: []helpdesk.AuditEntry{audit("x1", T0, helpdesk.AuditUser, "ann", ann, ann2)}})
	wantErr(t, "a change with a stale item", err, store.ErrVersionChanged)
	if got, _ := f.st.GetAgent(f.ctx, "ann"); got.Name != "ann" || got.Version != 0 {
		t.Fatalf("the refused change wrote ann: %+v", got)
	}
	if tr := f.trail(); len(tr) != 0 {
		t.Fatalf("the refused change was audited: %+v", tr)
	}
	// An agent's own availability moves the version: an admin's edit
	// decided before it is refused rather than undoing it.
	if _, err := f.st.SetAway(f.ctx, "ann", true); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "an edit decided before SetAway", f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{
		Agents: []helpdesk.Write[helpdesk.Agent]{{Before: &ann, After: &ann2}}}), store.ErrVersionChanged)
	if got, _ := f.st.GetAgent(f.ctx, "ann"); got.Version != 1 || !got.Availability.Away {
		t.Fatalf("after SetAway: %+v", got)
	}
	var many helpdesk.AdminChange
	for i := range 101 {
		many.Audit = append(many.Audit, audit(fmt.Sprint("m", i), T0, helpdesk.AuditUser, "ann", ann, ann2))
	}
	if err := f.st.CommitAdmin(f.ctx, many); !helpdesk.IsCode(err, helpdesk.EInvalid) {
		t.Fatalf("a change of 101 items: %v, want EInvalid", err)
	}
}

// Admins editing one record at once on the same version: one wins, the
// others are told, nothing is overwritten and the trail has one entry.
func testConcurrentAdminEditsDoNotOverwrite(t *testing.T, f *fixture) {
	team := helpdesk.Team{ID: "t", Name: "T", CreatedAt: T0}
	if err := f.st.PutTeam(f.ctx, team); err != nil {
		t.Fatal(err)
	}
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			after := team
			after.Name, after.Version = fmt.Sprint("T", i), 1
			errs[i] = f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Teams: []helpdesk.Write[helpdesk.Team]{{Before: &team, After: &after}},
				Audit: []helpdesk.AuditEntry{audit(fmt.Sprint("c", i), T0, helpdesk.AuditTeam, "t", team, after)}})
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
		case !errors2(err):
			t.Errorf("edit %d: %v, want ErrVersionChanged or ErrContention", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no edit succeeded")
	}
	if got, _ := f.st.GetTeam(f.ctx, "t"); got.Name != fmt.Sprint("T", won) || got.Version != 1 {
		t.Fatalf("team = %+v, want the winner's (%d)", got, won)
	}
	if tr := f.trail(); len(tr) != 1 || tr[0].ID != fmt.Sprint("c", won) {
		t.Fatalf("trail = %+v, want the winner's entry only", tr)
	}
}

func errors2(err error) bool {
	return errors.Is(err, store.ErrVersionChanged) || errors.Is(err, store.ErrContention)
}

// The trail pages newest first; a position the store did not give is refused.
func testAuditTrailPagesNewestFirst(t *testing.T, f *fixture) {
	var want []string
	for i := range 5 {
		e := audit(fmt.Sprint("e", i), T0.Add(time.Duration(i)*time.Second), helpdesk.AuditSettings, "settings", nil, map[string]int{"i": i})
		if err := f.st.CommitAdmin(f.ctx, helpdesk.AdminChange{Audit: []helpdesk.AuditEntry{e}}); err != nil {
			t.Fatal(err)
		}
		want = append([]string{e.ID}, want...)
	}
	var got []string
	after := ""
	for range 5 {
		es, next, err := f.st.ListAudit(f.ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			got = append(got, e.ID)
		}
		if next == "" {
			break
		}
		after = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages = %v, want %v", got, want)
	}
	if es, next, err := f.st.ListAudit(f.ctx, "", 5); err != nil || len(es) != 5 || next != "" {
		t.Fatalf("a page of exactly all: %d entries, next %q, %v", len(es), next, err)
	}
	for _, bad := range []string{"x", "2026-11-21T09:30:00Z#e1", "TICKET#1"} {
		if _, _, err := f.st.ListAudit(f.ctx, bad, 2); !helpdesk.IsCode(err, helpdesk.EInvalid) {
			t.Errorf("position %q: %v, want EInvalid", bad, err)
		}
	}
}
