package stacktemplate_test

import (
	"slices"
	"strings"
	"testing"
)

// The portal's pages post customers' attachments straight to the mail
// bucket (presigned POST), from the origin its sign-in links name: the
// bucket's CORS must let that origin POST. Today the portal shares the
// console's distribution, so the console's rule covers it; this holds if the
// portal ever moves to an origin of its own.
func TestMailBucketLetsThePortalPostUploads(t *testing.T) {
	tpl := parseTemplate(t)
	env, _ := props(t, tpl, "PortalApiFunction")["Environment"].(map[string]any)
	vars, _ := env["Variables"].(map[string]any)
	base, _ := vars["PORTAL_LINK_BASE"].(map[string]any)
	sub, _ := base["Fn::Sub"].(string)
	origin, _, ok := strings.Cut(sub, "/portal/")
	if !ok || !strings.HasPrefix(origin, "https://") {
		t.Fatalf("PORTAL_LINK_BASE %v: want !Sub https://<origin>/portal/...", vars["PORTAL_LINK_BASE"])
	}
	want := `{"Fn::Sub":"` + origin + `"}`
	cors, _ := props(t, tpl, "MailBucket")["CorsConfiguration"].(map[string]any)
	rules, _ := cors["CorsRules"].([]any)
	if !slices.ContainsFunc(rules, func(r any) bool {
		m, _ := r.(map[string]any)
		o, _ := m["AllowedOrigins"].([]any)
		return slices.ContainsFunc(o, func(o any) bool { return asJSON(o) == want }) && slices.ContainsFunc(list(m["AllowedMethods"]), func(s string) bool { return strings.EqualFold(s, "POST") })
	}) {
		t.Errorf("the mail bucket's CORS does not let the portal's origin %s POST uploads: %s", want, asJSON(rules))
	}
}
