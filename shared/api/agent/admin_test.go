package agent_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/admin"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// directory stands in for the user pool: invited users get sub
// "sub-<email>", so "token-sub-<email>" signs them in (see authenticate).
type directory struct {
	mu    sync.Mutex
	users map[string]*poolUser
}

type poolUser struct {
	sub      string
	disabled bool
}

func (d *directory) Invite(_ context.Context, email string) (string, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if u, ok := d.users[email]; ok {
		return u.sub, admin.ErrUserExists
	}
	d.users[email] = &poolUser{sub: "sub-" + email}
	return "sub-" + email, nil
}

func (d *directory) set(email string, disabled bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if u, ok := d.users[email]; ok {
		u.disabled = disabled
	}
	return nil
}

func (d *directory) Disable(_ context.Context, email string) error { return d.set(email, true) }
func (d *directory) Enable(_ context.Context, email string) error  { return d.set(email, false) }

func (d *directory) user(email string) (poolUser, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	u, ok := d.users[email]
	if !ok {
		return poolUser{}, false
	}
	return *u, true
}

// auditTrail reads the whole trail as ann, newest first.
func (f *fixture) auditTrail(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	cursor := ""
	for range 50 {
		r := f.do(t, "GET", "/api/audit?limit=3&cursor="+cursor, "ann", "")
		if r.status != 200 {
			t.Fatalf("audit: %d %s", r.status, r.raw)
		}
		for _, e := range r.body["entries"].([]any) {
			out = append(out, e.(map[string]any))
		}
		next, _ := r.body["next"].(string)
		if next == "" {
			return out
		}
		cursor = next
	}
	t.Fatal("audit: more than 50 pages")
	return nil
}

// Each change route refuses users who may not manage settings with 403
// (and changes nothing); a user given the permission may.
func TestSettingsChangesNeedTheRight(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		changes := []struct{ method, path, body string }{
			{"PUT", "/api/settings", `{"pipelines":{},"defaults":{}}`},
			{"PATCH", "/api/channels/" + mail.ID, `{"disabled":true}`},
			{"POST", "/api/users", `{"email":"new@acme.example","name":"New","role":"agent"}`},
			{"PATCH", "/api/users/cat", `{"seat":false}`},
			{"POST", "/api/teams", `{"name":"C"}`},
			{"PATCH", "/api/teams/A", `{"name":"Renamed"}`},
			{"DELETE", "/api/teams/B", ``},
			{"GET", "/api/audit", ``},
		}
		for _, who := range []string{"bob", "cat", "vic"} {
			for _, c := range changes {
				if r := f.do(t, c.method, c.path, who, c.body); r.status != 403 || reason(r) != "settings_forbidden" {
					t.Errorf("%s %s %s: %d %s, want 403 settings_forbidden", who, c.method, c.path, r.status, r.raw)
				}
			}
		}
		if r := f.do(t, "PATCH", "/api/users/cat", "dan", `{"seat":false}`); r.status != 401 {
			t.Errorf("a deactivated admin-to-be: %d", r.status)
		}
		if len(f.auditTrail(t)) != 0 {
			t.Fatal("refused changes were audited")
		}
		// Reading what the console needs is for everybody.
		for _, path := range []string{"/api/settings", "/api/channels", "/api/channels/" + mail.ID, "/api/users", "/api/users/ann", "/api/teams", "/api/teams/A"} {
			if r := f.do(t, "GET", path, "vic", ""); r.status != 200 {
				t.Errorf("vic GET %s: %d %s", path, r.status, r.raw)
			}
		}
		// Permission, not only the admin role.
		if r := f.do(t, "PATCH", "/api/users/bob", "ann", `{"permissions":{"scope":"teams","manage_settings":true}}`); r.status != 200 {
			t.Fatalf("grant: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "PATCH", "/api/teams/B", "bob", `{"name":"Team Bee"}`); r.status != 200 || r.body["name"] != "Team Bee" {
			t.Fatalf("bob with manage_settings: %d %s", r.status, r.raw)
		}
		// ... which does not make him an admin, nor lets him make one.
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/api/users", `{"email":"mole@acme.example","name":"Mole","role":"admin"}`},
			{"POST", "/api/users", `{"email":"mole@acme.example","name":"Mole","role":"agent","permissions":{"manage_settings":true}}`},
			{"PATCH", "/api/users/cat", `{"role":"admin"}`},
			{"PATCH", "/api/users/cat", `{"permissions":{"scope":"all"}}`},
			{"PATCH", "/api/users/ann", `{"seat":false}`},
		} {
			if r := f.do(t, c.method, c.path, "bob", c.body); r.status != 403 || reason(r) != "admin_only" {
				t.Errorf("bob %s %s %s: %d %s, want 403 admin_only", c.method, c.path, c.body, r.status, r.raw)
			}
		}
		if r := f.do(t, "PATCH", "/api/users/cat", "bob", `{"skills":["de"]}`); r.status != 200 {
			t.Errorf("bob edits an agent's skills: %d %s", r.status, r.raw)
		}
	})
}

// Pipelines, categories and defaults: a stale version is a 412, an
// invalid pipeline names what is wrong, and the trail has both values.
func TestAdminEditsSettings(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		got := f.do(t, "GET", "/api/settings", "bob", "")
		if got.status != 200 || got.header.Get("ETag") != `"0"` || got.body["pipelines"].(map[string]any)["support"] == nil {
			t.Fatalf("GET settings: %d %s", got.status, got.raw)
		}
		sales := `"sales":{"id":"sales","name":"Sales","stages":[{"id":"lead","name":"Lead"},{"id":"won","name":"Won","closed":true}]}`
		support := `"support":{"id":"support","name":"Support","stages":[{"id":"new","name":"New"},{"id":"closed","name":"Closed","closed":true}]}`
		body := `{"pipelines":{` + support + `,` + sales + `},"categories":[{"id":"billing","name":"Billing"}],"defaults":{"pipeline":"support","status":"new","priority":"medium"}}`
		r := f.do(t, "PUT", "/api/settings", "ann", body, "If-Match", `"0"`)
		if r.status != 200 || r.header.Get("ETag") != `"1"` || len(r.body["categories"].([]any)) != 1 {
			t.Fatalf("PUT settings: %d %s", r.status, r.raw)
		}
		if set, err := f.st.GetSettings(context.Background()); err != nil || set.Version != 1 || set.Pipelines["sales"].Stages[1].ID != "won" {
			t.Fatalf("stored settings: %+v, %v", set, err)
		}
		if r := f.do(t, "PUT", "/api/settings", "ann", body, "If-Match", `"0"`); r.status != 412 || reason(r) != "version_mismatch" {
			t.Fatalf("stale PUT: %d %s", r.status, r.raw)
		}
		for _, c := range []struct{ body, want string }{
			{`{"pipelines":{"support":{"id":"support","name":"S","stages":[{"id":"new","name":"New"}]}},"defaults":{"pipeline":"support","status":"new","priority":"low"}}`, "no_closed_stage"},
			{`{"pipelines":{"support":{"id":"support","name":"S","stages":[{"id":"x","name":"X","closed":true}]}},"defaults":{"pipeline":"support","status":"x","priority":"low"}}`, "no_open_stage"},
			{`{"pipelines":{` + sales + `},"defaults":{"pipeline":"sales","status":"lead","priority":"low"}}`, "channel_defaults_invalid"}, // the mail channel's pipeline
			{`{"pipelines":{` + support + `},"defaults":{"pipeline":"support","status":"gone","priority":"low"}}`, "unknown_default_status"},
			{`{"pipelines":{` + support + `},"defaults":{"pipeline":"support","status":"new","priority":"low"},"colour":1}`, "invalid_json"},
		} {
			if r := f.do(t, "PUT", "/api/settings", "ann", c.body); r.status != 400 || reason(r) != c.want {
				t.Errorf("PUT %.80s: %d %s, want 400 %s", c.body, r.status, r.raw, c.want)
			}
		}
		// Without If-Match: applied to the settings as they are.
		body2 := strings.Replace(body, `"priority":"medium"`, `"priority":"high"`, 1)
		if r := f.do(t, "PUT", "/api/settings", "ann", body2); r.status != 200 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("PUT without If-Match: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "PUT", "/api/settings", "ann", body2); r.status != 200 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("the same settings again wrote a version: %d %s", r.status, r.header.Get("ETag"))
		}
		trail := f.auditTrail(t)
		if len(trail) != 2 {
			t.Fatalf("trail has %d entries, want 2: %v", len(trail), trail)
		}
		last, first := trail[0], trail[1]
		if first["action"] != "create" || first["before"] != nil || first["actor_id"] != "ann" || first["kind"] != "settings" {
			t.Errorf("first entry: %v", first)
		}
		before, _ := last["before"].(map[string]any)
		after, _ := last["after"].(map[string]any)
		if last["action"] != "update" || before["defaults"].(map[string]any)["priority"] != "medium" || after["defaults"].(map[string]any)["priority"] != "high" {
			t.Errorf("second entry: %v", last)
		}
	})
}

// A channel's settings, routing, defaults, signature, From mode, greeting
// and consent, and disabling it; secrets never leave.
func TestAdminEditsChannels(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		ctx := context.Background()
		form := helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Name: "Form", Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthHMAC, Secret: "very-secret-key"},
			Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}}
		page := helpdesk.Channel{ID: "messenger:42", Kind: helpdesk.ChannelMessenger, Name: "Page", Messenger: &helpdesk.MessengerSettings{PageID: "42"}}
		for _, c := range []helpdesk.Channel{form, page} {
			if err := f.st.PutChannel(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		list := f.do(t, "GET", "/api/channels", "bob", "")
		if list.status != 200 || len(list.body["channels"].([]any)) != 3 || strings.Contains(list.raw, "very-secret-key") {
			t.Fatalf("GET channels: %d %s", list.status, list.raw)
		}
		r := f.do(t, "PATCH", "/api/channels/"+mail.ID, "ann", `{"name":"Help","routing":{"kind":"users_and_teams","distribution":"round_robin","team_ids":["A"],"skills":["fr"]},
			"defaults":{"pipeline":"support","status":"waiting_on_us","priority":"high"},
			"email":{"from_mode":"agent_and_company","signature":"-- {{first_name}}","new_ticket_after_days":7}}`, "If-Match", `"0"`)
		if r.status != 200 || r.header.Get("ETag") != `"1"` || r.body["name"] != "Help" {
			t.Fatalf("PATCH email channel: %d %s", r.status, r.raw)
		}
		ch, _ := f.st.GetChannel(ctx, mail.ID)
		if ch.Routing.Distribution != helpdesk.DistRoundRobin || ch.Email.FromMode != "agent_and_company" || ch.Email.Signature != "-- {{first_name}}" ||
			ch.Email.Address != "support@acme.example" || ch.Defaults.Priority != helpdesk.PriorityHigh || ch.Version != 1 {
			t.Fatalf("stored channel: %+v %+v", ch, ch.Email)
		}
		r = f.do(t, "PATCH", "/api/channels/messenger:42", "ann", `{"messenger":{"greeting":"Hi!","consent":"explicit","consent_text":"May we keep your messages?"}}`)
		if r.status != 200 || r.body["messenger"].(map[string]any)["consent"] != "explicit" {
			t.Fatalf("PATCH page: %d %s", r.status, r.raw)
		}
		r = f.do(t, "PATCH", "/api/channels/web", "ann", `{"disabled":true}`)
		if r.status != 200 || r.body["disabled"] != true || strings.Contains(r.raw, "very-secret-key") {
			t.Fatalf("disable form: %d %s", r.status, r.raw)
		}
		if c, _ := f.st.GetChannel(ctx, "web"); !c.Disabled || c.Form.Secret != "very-secret-key" {
			t.Fatalf("disabling lost the secret or did not disable: %+v", c.Form)
		}
		// What an unsigned submission may ask for is the admin's to say.
		r = f.do(t, "PATCH", "/api/channels/web", "ann", `{"form":{"allowed_hidden":{"pipelines":["support"],"statuses":["waiting_on_us"],"priorities":["high"]}}}`)
		if r.status != 200 || r.body["form"].(map[string]any)["allowed_hidden"] == nil || strings.Contains(r.raw, "very-secret-key") {
			t.Fatalf("PATCH form allow-list: %d %s", r.status, r.raw)
		}
		if c, _ := f.st.GetChannel(ctx, "web"); c.Form.AllowedHidden == nil || !slices.Equal(c.Form.AllowedHidden.Statuses, []string{"waiting_on_us"}) ||
			c.Form.Secret != "very-secret-key" {
			t.Fatalf("stored allow-list: %+v", c.Form)
		}
		if r := f.do(t, "PATCH", "/api/channels/"+mail.ID, "ann", `{"disabled":true}`, "If-Match", `"0"`); r.status != 412 {
			t.Fatalf("stale channel PATCH: %d %s", r.status, r.raw)
		}
		for _, c := range []struct{ id, body, want string }{
			{mail.ID, `{"routing":{"kind":"team_only","team_id":"Z"}}`, "unknown_team"},
			{mail.ID, `{"routing":{"kind":"users_and_teams","user_ids":["nobody"]}}`, "unknown_user"},
			{mail.ID, `{"routing":{"kind":"everyone"}}`, "invalid_routing_kind"},
			{mail.ID, `{"defaults":{"pipeline":"support","status":"closed"}}`, "status_closed"},
			{mail.ID, `{"defaults":{"pipeline":"sales"}}`, "unknown_pipeline"},
			{mail.ID, `{"email":{"from_mode":"agent_only"}}`, "invalid_from_mode"},
			{mail.ID, `{"messenger":{"greeting":"Hi"}}`, "not_a_messenger_channel"},
			{mail.ID, `{"name":"  "}`, "name_required"},
			{"messenger:42", `{"messenger":{"consent_text":""}}`, "consent_text_required"},
			{"messenger:42", `{"email":{"signature":"x"}}`, "not_an_email_channel"},
			{mail.ID, `{"form":{"allowed_hidden":{}}}`, "not_a_form_channel"},
			{"web", `{"form":{"allowed_hidden":{"statuses":["closed"]}}}`, "status_closed"},
			{"web", `{"form":{"allowed_hidden":{"statuses":["nope"]}}}`, "unknown_status"},
			{"web", `{"form":{"allowed_hidden":{"pipelines":["sales"]}}}`, "unknown_pipeline"},
			{"web", `{"form":{"allowed_hidden":{"priorities":["urgent!"]}}}`, "unknown_priority"},
			{"web", `{"form":{"allowed_hidden":{"categories":["nope"]}}}`, "unknown_category"},
		} {
			if r := f.do(t, "PATCH", "/api/channels/"+c.id, "ann", c.body); r.status != 400 || reason(r) != c.want {
				t.Errorf("PATCH %s %s: %d %s, want 400 %s", c.id, c.body, r.status, r.raw, c.want)
			}
		}
		if r := f.do(t, "PATCH", "/api/channels/nope", "ann", `{"disabled":true}`); r.status != 404 || reason(r) != "channel_not_found" {
			t.Errorf("unknown channel: %d %s", r.status, r.raw)
		}
		trail := f.auditTrail(t)
		if len(trail) != 4 || trail[3]["entity_id"] != mail.ID || strings.Contains(jsonOf(trail), "very-secret-key") {
			t.Fatalf("trail: %v", trail)
		}
		before, after := trail[3]["before"].(map[string]any), trail[3]["after"].(map[string]any)
		if before["name"] != "Support" || after["name"] != "Help" {
			t.Errorf("channel entry before %v after %v", before["name"], after["name"])
		}
	})
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Inviting creates the pool user and the agent record, who can then sign
// in; a user's role, seat, skills, teams, hours, time zone and out of
// office change; deactivating refuses them at once and disables their
// sign-in; reactivating undoes both.
func TestAdminManagesUsers(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		ctx := context.Background()
		r := f.do(t, "POST", "/api/users", "ann", `{"email":"Eve@Acme.example","name":"Eve","role":"agent","team_ids":["B"],"permissions":{"scope":"teams"}}`)
		if r.status != 201 || r.body["email"] != "eve@acme.example" || !slices.Equal(anyStrings(r.body["team_ids"]), []string{"B"}) || r.body["seat"] != true {
			t.Fatalf("invite: %d %s", r.status, r.raw)
		}
		id := r.body["id"].(string)
		if u, ok := f.dir.user("eve@acme.example"); !ok || u.disabled {
			t.Fatalf("no pool user: %+v", u)
		}
		if a, err := f.st.GetAgent(ctx, id); err != nil || a.Sub != "sub-eve@acme.example" || !a.Active {
			t.Fatalf("agent record: %+v %v", a, err)
		}
		if strings.Contains(r.raw, "sub-eve") {
			t.Fatal("the user-pool identity leaks")
		}
		me := f.do(t, "GET", "/api/me", "eve@acme.example", "")
		if me.status != 200 || !slices.Equal(teamsOf(me), []string{"B"}) {
			t.Fatalf("the invited user's /api/me: %d %s", me.status, me.raw)
		}
		for _, body := range []string{`{"email":"eve@acme.example","name":"Eve 2","role":"agent"}`, `{"email":"ANN@acme.example","name":"Ann 2","role":"agent"}`} {
			if r := f.do(t, "POST", "/api/users", "ann", body); r.status != 409 || reason(r) != "user_exists" {
				t.Errorf("duplicate %s: %d %s", body, r.status, r.raw)
			}
		}
		for _, c := range []struct{ body, want string }{
			{`{"email":"not-an-email","name":"X","role":"agent"}`, "invalid_email"},
			{`{"email":"x@acme.example","name":"X","role":"boss"}`, "invalid_role"},
			{`{"email":"x@acme.example","name":"X","role":"viewer","seat":true}`, "viewer_cannot_hold_seat"},
			{`{"email":"x@acme.example","name":"X","role":"agent","team_ids":["Z"]}`, "unknown_team"},
			{`{"email":"x@acme.example","name":"X","role":"agent","time_zone":"Mars/Olympus"}`, "unknown_time_zone"},
		} {
			if r := f.do(t, "POST", "/api/users", "ann", c.body); r.status != 400 || reason(r) != c.want {
				t.Errorf("invite %s: %d %s, want 400 %s", c.body, r.status, r.raw, c.want)
			}
		}
		if _, ok := f.dir.user("x@acme.example"); ok {
			t.Fatal("a refused invitation created a pool user")
		}
		// An invitation that created the pool user but not the record
		// (the function died between the two) is taken up again.
		f.dir.users["half@acme.example"] = &poolUser{sub: "sub-half-before"}
		if r := f.do(t, "POST", "/api/users", "ann", `{"email":"half@acme.example","name":"Half","role":"viewer"}`); r.status != 201 || r.body["seat"] != false {
			t.Fatalf("taking up a half-done invitation: %d %s", r.status, r.raw)
		} else if a, _ := f.st.GetAgent(ctx, r.body["id"].(string)); a.Sub != "sub-half-before" {
			t.Fatalf("the record has sub %q, want the pool user's", a.Sub)
		}

		r = f.do(t, "PATCH", "/api/users/"+id, "ann", `{"role":"admin","skills":["fr","billing"],"team_ids":["A"],"time_zone":"Europe/Paris",
			"availability":{"mode":"schedule","hours":[{"day":1,"start":"22:00","end":"06:00"}],"out_of_office":[{"from":"2026-12-24T00:00:00Z","to":"2026-12-27T00:00:00Z"}]}}`,
			"If-Match", `"1"`)
		if r.status != 200 || r.body["role"] != "admin" || !slices.Equal(anyStrings(r.body["team_ids"]), []string{"A"}) || r.header.Get("ETag") != `"2"` {
			t.Fatalf("PATCH user: %d %s", r.status, r.raw)
		}
		a, _ := f.st.GetAgent(ctx, id)
		if a.TimeZone != "Europe/Paris" || len(a.Availability.Hours) != 1 || a.Availability.Hours[0].End != "06:00" || len(a.Availability.OutOfOffice) != 1 || len(a.Skills) != 2 {
			t.Fatalf("stored user: %+v", a)
		}
		members, _ := f.st.TeamMembers(ctx, []string{"A", "B"})
		if !slices.Contains(members["A"], id) || slices.Contains(members["B"], id) {
			t.Fatalf("teams after the move: %v", members)
		}
		if r := f.do(t, "PATCH", "/api/users/"+id, "ann", `{"seat":false}`, "If-Match", `"1"`); r.status != 412 || reason(r) != "version_mismatch" {
			t.Fatalf("stale user PATCH: %d %s", r.status, r.raw)
		}
		for _, c := range []struct{ body, want string }{
			{`{"time_zone":"Europe/Atlantis"}`, "unknown_time_zone"},
			{`{"availability":{"hours":[{"day":1,"start":"9:00","end":"17:00"}]}}`, "invalid_time"},
			{`{"availability":{"hours":[{"day":1,"start":"09:00","end":"24:01"}]}}`, "invalid_time"},
			{`{"availability":{"hours":[{"day":7,"start":"09:00","end":"17:00"}]}}`, "invalid_day"},
			{`{"availability":{"out_of_office":[{"from":"2026-12-27T00:00:00Z","to":"2026-12-24T00:00:00Z"}]}}`, "invalid_period"},
			{`{"availability":{"hours":[{"start":"09:00","end":"17:00"}]}}`, "field_required"}, // not Sunday by default
			{`{"availability":{"out_of_office":[{"to":"2026-12-24T00:00:00Z"}]}}`, "field_required"},
			{`{"availability":{"mode":""}}`, "invalid_availability_mode"},
			{`{"team_ids":["Z"]}`, "unknown_team"},
			{`{"role":"viewer"}`, "viewer_cannot_hold_seat"},
			{`{"permissions":{"scope":"galaxy"}}`, "invalid_scope"},
			{`{"skills":[" "]}`, "skill_blank"},
		} {
			if r := f.do(t, "PATCH", "/api/users/"+id, "ann", c.body); r.status != 400 || reason(r) != c.want || !strings.Contains(r.body["error"].(map[string]any)["message"].(string), fieldOf(c.body)) {
				t.Errorf("PATCH user %s: %d %s, want 400 %s naming %s", c.body, r.status, r.raw, c.want, fieldOf(c.body))
			}
		}
		if r := f.do(t, "PATCH", "/api/users/ann", "ann", `{"active":false}`); r.status != 403 || reason(r) != "own_access" {
			t.Fatalf("deactivating oneself: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "PATCH", "/api/users/nobody", "ann", `{"seat":false}`); r.status != 404 || reason(r) != "user_not_found" {
			t.Fatalf("unknown user: %d %s", r.status, r.raw)
		}

		// Deactivated: refused at once, sign-in disabled.
		if r := f.do(t, "PATCH", "/api/users/"+id, "ann", `{"active":false}`); r.status != 200 || r.body["active"] != false {
			t.Fatalf("deactivate: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/api/me", "eve@acme.example", ""); r.status != 401 || reason(r) != "user_inactive" {
			t.Fatalf("a deactivated user's request: %d %s", r.status, r.raw)
		}
		if u, _ := f.dir.user("eve@acme.example"); !u.disabled {
			t.Fatal("the pool user was not disabled")
		}
		if r := f.do(t, "PATCH", "/api/users/"+id, "ann", `{"active":true}`); r.status != 200 || r.body["active"] != true {
			t.Fatalf("reactivate: %d %s", r.status, r.raw)
		}
		if u, _ := f.dir.user("eve@acme.example"); u.disabled {
			t.Fatal("the pool user was not enabled again")
		}
		if r := f.do(t, "GET", "/api/me", "eve@acme.example", ""); r.status != 200 {
			t.Fatalf("the reactivated user: %d %s", r.status, r.raw)
		}

		// The trail: the invite (user + team B), the edit (user, A, B), two activity changes.
		var kinds []string
		for _, e := range f.auditTrail(t) {
			kinds = append(kinds, e["kind"].(string)+"/"+e["action"].(string))
		}
		slices.Sort(kinds)
		want := []string{"team/update", "team/update", "team/update", "user/create", "user/create", "user/update", "user/update", "user/update"}
		if !slices.Equal(kinds, want) {
			t.Fatalf("trail kinds %v, want %v", kinds, want)
		}
		users := f.do(t, "GET", "/api/users", "cat", "")
		if users.status != 200 || len(users.body["users"].([]any)) != len(people)+2 || strings.Contains(users.raw, "sub-") {
			t.Fatalf("GET users: %d %s", users.status, users.raw)
		}
	})
}

// fieldOf is the first field a PATCH body names (its innermost key's
// parent path is enough for the message check).
func fieldOf(body string) string {
	var m map[string]any
	_ = json.Unmarshal([]byte(body), &m)
	for k := range m {
		return k
	}
	return ""
}

func anyStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// Teams: create, rename, members, delete (not while a channel routes to
// it); two admins on one version: one wins, one gets 412.
func TestAdminManagesTeams(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		r := f.do(t, "POST", "/api/teams", "ann", `{"id":"C","name":"Team C","member_ids":["cat","bob"]}`)
		if r.status != 201 || r.header.Get("ETag") != `"1"` {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
		if me := f.do(t, "GET", "/api/me", "cat", ""); !slices.Equal(teamsOf(me), []string{"B", "C"}) {
			t.Fatalf("cat's teams: %s", me.raw)
		}
		for _, c := range []struct {
			method, path, body string
			status             int
			want               string
		}{
			{"POST", "/api/teams", `{"id":"C","name":"Again"}`, 409, "team_exists"},
			{"POST", "/api/teams", `{"name":"X","member_ids":["nobody"]}`, 400, "unknown_user"},
			{"POST", "/api/teams", `{"name":"X","member_ids":["bob","bob"]}`, 400, "duplicate_member"},
			{"POST", "/api/teams", `{"id":"a b","name":"X"}`, 400, "invalid_id"},
			{"POST", "/api/teams", `{"id":"","name":"X"}`, 400, "invalid_id"},
			{"POST", "/api/teams", `{"id":null,"name":"X"}`, 400, "null_value"},
			{"PATCH", "/api/teams/C", `{"name":null}`, 400, "null_value"},
			{"PATCH", "/api/teams/C", `{"member_ids":["bob",null]}`, 400, "null_value"},
			{"PATCH", "/api/teams/C", `{"name":""}`, 400, "name_required"},
			{"POST", "/api/teams", `{"name":""}`, 400, "name_required"},
			{"PATCH", "/api/teams/nope", `{"name":"X"}`, 404, "team_not_found"},
			{"DELETE", "/api/teams/nope", ``, 404, "team_not_found"},
		} {
			if r := f.do(t, c.method, c.path, "ann", c.body); r.status != c.status || reason(r) != c.want {
				t.Errorf("%s %s %s: %d %s, want %d %s", c.method, c.path, c.body, r.status, r.raw, c.status, c.want)
			}
		}
		if r := f.do(t, "PATCH", "/api/teams/C", "ann", `{"name":""}`, "If-Match", `"99"`); r.status != 400 || reason(r) != "name_required" {
			t.Errorf("an invalid change at a stale version: %d %s, want 400 (invalid before stale)", r.status, r.raw)
		}
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, name := range []string{"Cee", "Sea"} {
			wg.Go(func() {
				codes[i] = f.do(t, "PATCH", "/api/teams/C", "ann", `{"name":"`+name+`"}`, "If-Match", `"1"`).status
			})
		}
		wg.Wait()
		slices.Sort(codes)
		if !slices.Equal(codes, []int{200, 412}) {
			t.Fatalf("concurrent renames answered %v, want one 200 and one 412", codes)
		}
		// A channel routes to C: it stays.
		if r := f.do(t, "PATCH", "/api/channels/"+mail.ID, "ann", `{"routing":{"kind":"team_only","team_id":"C"}}`); r.status != 200 {
			t.Fatalf("route to C: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/teams/C", "ann", ``); r.status != 409 || reason(r) != "team_in_use" {
			t.Fatalf("delete a team in use: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "PATCH", "/api/channels/"+mail.ID, "ann", `{"routing":{"kind":"nobody"}}`); r.status != 200 {
			t.Fatalf("route to nobody: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/teams/C", "ann", ``, "If-Match", `"1"`); r.status != 412 {
			t.Fatalf("stale delete: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/teams/C", "ann", ``); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/api/teams/C", "ann", ""); r.status != 404 {
			t.Fatalf("deleted team: %d", r.status)
		}
		trail := f.auditTrail(t)
		if trail[0]["action"] != "delete" || trail[0]["after"] != nil || trail[0]["before"].(map[string]any)["name"] == nil {
			t.Fatalf("the delete's entry: %v", trail[0])
		}
	})
}

// The trail pages with sealed cursors; a forged one is refused.
func TestAuditCursor(t *testing.T) {
	f := newDesk(t, testbed.Mem)
	for _, n := range []string{"One", "Two", "Three", "Four"} {
		if r := f.do(t, "PATCH", "/api/teams/A", "ann", `{"name":"`+n+`"}`); r.status != 200 {
			t.Fatal(r.raw)
		}
	}
	if trail := f.auditTrail(t); len(trail) != 4 || trail[0]["after"].(map[string]any)["name"] != "Four" || trail[3]["before"].(map[string]any)["name"] != "Team A" {
		t.Fatalf("trail: %v", trail)
	}
	first := f.do(t, "GET", "/api/audit?limit=1", "ann", "")
	next := first.body["next"].(string)
	body, sig, _ := strings.Cut(next, ".")
	for _, c := range []string{body + "." + strings.Repeat("A", len(sig)), "e30." + sig, "x"} {
		if r := f.do(t, "GET", "/api/audit?cursor="+c, "ann", ""); r.status != 400 || reason(r) != "invalid_cursor" {
			t.Errorf("cursor %s: %d %s", c, r.status, r.raw)
		}
	}
	if r := f.do(t, "GET", "/api/audit?limit=0", "ann", ""); r.status != 400 || reason(r) != "invalid_limit" {
		t.Errorf("limit 0: %d", r.status)
	}
}
