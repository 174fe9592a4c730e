package agent_test

import (
	"context"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The customer portal's branding is edited through the settings route:
// given, it replaces the branding; left out, it is kept; a bad colour or
// logo is a 400 naming it.
func TestAdminEditsPortalBranding(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		base := `"pipelines":{"support":{"id":"support","name":"Support","stages":[{"id":"new","name":"New"},{"id":"closed","name":"Closed","closed":true}]}},"defaults":{"pipeline":"support","status":"new","priority":"medium"}`
		r := f.do(t, "PUT", "/api/settings", "ann", `{`+base+`,"portal":{"name":"Acme Help","logo_url":"https://cdn.acme.example/logo.svg","primary_color":"#112233","accent_color":"#aabbcc"}}`)
		if r.status != 200 || r.body["portal"].(map[string]any)["name"] != "Acme Help" {
			t.Fatalf("PUT with portal: %d %s", r.status, r.raw)
		}
		want := helpdesk.PortalBranding{Name: "Acme Help", LogoURL: "https://cdn.acme.example/logo.svg", PrimaryColor: "#112233", AccentColor: "#aabbcc"}
		if set, err := f.st.GetSettings(context.Background()); err != nil || set.Portal != want {
			t.Fatalf("stored branding %+v, %v", set.Portal, err)
		}
		if r := f.do(t, "PUT", "/api/settings", "ann", `{`+base+`}`); r.status != 200 {
			t.Fatalf("PUT without portal: %d %s", r.status, r.raw)
		}
		if set, _ := f.st.GetSettings(context.Background()); set.Portal != want {
			t.Fatalf("a PUT without portal changed it: %+v", set.Portal)
		}
		if r := f.do(t, "GET", "/api/settings", "bob", ""); r.status != 200 || r.body["portal"].(map[string]any)["primary_color"] != "#112233" {
			t.Fatalf("GET settings: %d %s", r.status, r.raw)
		}
		for body, want := range map[string]string{
			`"portal":{"primary_color":"blue"}`:                 "invalid_portal_primary_color",
			`"portal":{"accent_color":"#12345"}`:                "invalid_portal_accent_color",
			`"portal":{"logo_url":"javascript:alert(1)"}`:       "invalid_portal_logo",
			`"portal":{"logo_url":"http://acme.example/l.png"}`: "invalid_portal_logo",
		} {
			if r := f.do(t, "PUT", "/api/settings", "ann", `{`+base+`,`+body+`}`); r.status != 400 || reason(r) != want {
				t.Errorf("PUT %s: %d %s, want 400 %s", body, r.status, r.raw, want)
			}
		}
	})
}
