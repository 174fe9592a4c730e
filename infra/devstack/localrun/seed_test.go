package localrun_test

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// `make run` seeds on every start. What an admin changed since the first
// start (an agent deactivated, a channel renamed, a team's members, the
// settings) must survive the next start, and creation times must not move.
func TestSeedAgainKeepsAdminChanges(t *testing.T) {
	s := start(t) // seeds once
	ctx := context.Background()
	st := s.r.Store

	// What the first seed made.
	settings, err := st.GetSettings(ctx)
	if err != nil {
		t.Fatalf("settings after the first seed: %v", err)
	}
	if settings.Version != 1 || !reflect.DeepEqual(settings.Pipelines, helpdesk.DefaultSettings().Pipelines) {
		t.Fatalf("seeded settings = %+v", settings)
	}
	alice, err := st.GetAgent(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}

	// An admin's changes, through the store as the agent API will make them.
	bob, err := st.GetAgent(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	bob.Active = false
	if err := st.PutAgent(ctx, bob); err != nil {
		t.Fatal(err)
	}
	form, err := st.GetChannel(ctx, s.demo.FormChannelID)
	if err != nil {
		t.Fatal(err)
	}
	form.Name = "Contact us (renamed by an admin)"
	if err := st.PutChannel(ctx, form); err != nil {
		t.Fatal(err)
	}
	team := helpdesk.Team{ID: s.demo.TeamID, Name: "Support", MemberIDs: []string{"alice", "chloe"}, CreatedAt: alice.CreatedAt}
	if err := st.PutTeam(ctx, team); err != nil {
		t.Fatal(err)
	}
	edited := settings
	edited.Pipelines = helpdesk.DefaultSettings().Pipelines
	edited.Pipelines["sales"] = helpdesk.Pipeline{ID: "sales", Name: "Sales", Stages: []helpdesk.Stage{
		{ID: "lead", Name: "Lead"}, {ID: "won", Name: "Won", Closed: true}}}
	edited.Categories = []helpdesk.Category{{ID: "billing", Name: "Billing"}}
	edited.Defaults.Priority = helpdesk.PriorityLow
	if err := st.PutSettings(ctx, edited, settings.Version); err != nil {
		t.Fatal(err)
	}

	time.Sleep(10 * time.Millisecond) // a second seed's "now" differs from the first's
	demo, err := s.r.Seed(ctx)
	if err != nil {
		t.Fatalf("second seed: %v", err)
	}
	if !reflect.DeepEqual(demo, s.demo) {
		t.Errorf("second seed describes %+v, first %+v", demo, s.demo)
	}

	if got, err := st.GetAgent(ctx, "bob"); err != nil || got.Active || !got.CreatedAt.Equal(bob.CreatedAt) {
		t.Errorf("bob after the second seed = %+v, %v; want inactive, created %v", got, err, bob.CreatedAt)
	}
	if got, err := st.GetAgent(ctx, "alice"); err != nil || !reflect.DeepEqual(got, alice) {
		t.Errorf("alice after the second seed = %+v, %v; want unchanged %+v", got, err, alice)
	}
	if got, err := st.GetChannel(ctx, s.demo.FormChannelID); err != nil || got.Name != form.Name || !got.CreatedAt.Equal(form.CreatedAt) {
		t.Errorf("form channel after the second seed = %+v, %v; want name %q", got, err, form.Name)
	}
	if got, err := st.TeamMembers(ctx, []string{s.demo.TeamID}); err != nil || !reflect.DeepEqual(got[s.demo.TeamID], team.MemberIDs) {
		t.Errorf("team members after the second seed = %v, %v; want %v", got, err, team.MemberIDs)
	}
	got, err := st.GetSettings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != settings.Version+1 || !reflect.DeepEqual(got.Pipelines, edited.Pipelines) ||
		!reflect.DeepEqual(got.Categories, edited.Categories) || got.Defaults != edited.Defaults {
		t.Errorf("settings after the second seed = %+v, want the admin's %+v", got, edited)
	}

	// The form webhook validates against the stored settings: the admin's
	// new pipeline is accepted, an unknown one is not (a signed form: an
	// unsigned one may not choose its pipeline at all).
	signed := func(body string) map[string]string {
		return map[string]string{webhook.HeaderFormSignature: webhook.SignSHA256(s.demo.SignedSecret, []byte(body))}
	}
	quote := `{"email":"ann@example.com","subject":"Quote","pipeline":"sales"}`
	if status, out := s.post(t, "/forms/"+s.demo.SignedChannelID, quote, signed(quote)); status != http.StatusAccepted {
		t.Errorf("POST with the admin's pipeline: %d %v", status, out)
	}
	nope := `{"email":"ann@example.com","subject":"Quote","pipeline":"nope"}`
	if status, out := s.post(t, "/forms/"+s.demo.SignedChannelID, nope, signed(nope)); status != http.StatusBadRequest {
		t.Errorf("POST with an unknown pipeline: %d %v", status, out)
	}
}
