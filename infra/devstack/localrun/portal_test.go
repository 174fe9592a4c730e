package localrun_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
)

// The local stack serves the customer portal beside the console: its pages
// at /portal/ (any other path under it is the portal's index.html, for its
// hash routes and reloads), help.js under a stable name, and its API, whose
// unknown routes answer a JSON 404 rather than the page.
func TestPortalIsServed(t *testing.T) {
	s, dir := startConsole(t)
	portal := filepath.Join(dir, "portal")
	if err := os.MkdirAll(filepath.Join(portal, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"index.html": "<!doctype html><title>Help center</title>",
		"assets/app-abc.js": "console.log(2)", "help.js": "(function(){})()"} {
		if err := os.WriteFile(filepath.Join(portal, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := s.srv.URL
	for _, p := range []string{"/portal/", "/portal/index.html", "/portal/anything/else"} {
		code, _, body := fetch(t, "GET", base+p, nil, "")
		if code != 200 || !strings.Contains(body, "Help center") {
			t.Errorf("GET %s: %d %.60q, want the portal's index", p, code, body)
		}
	}
	if code, h, body := fetch(t, "GET", base+"/portal/help.js", nil, ""); code != 200 || body != "(function(){})()" ||
		!strings.Contains(h.Get("Content-Type"), "javascript") || h.Get("Cache-Control") != "public, max-age=300" {
		t.Errorf("help.js: %d %q %v", code, body, h)
	}
	if code, h, _ := fetch(t, "GET", base+"/portal/assets/app-abc.js", nil, ""); code != 200 || !strings.Contains(h.Get("Cache-Control"), "immutable") {
		t.Errorf("a hashed asset: %d %v", code, h)
	}
	if code, h, body := fetch(t, "GET", base+"/portal/api/nothing-here", nil, ""); code != 404 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Errorf("an unknown portal API route: %d %s %.80q", code, h.Get("Content-Type"), body)
	}
	if code, _, body := fetch(t, "GET", base+"/portal/api/openapi.yaml", nil, ""); code != 200 || !strings.Contains(body, "Stackdesk customer portal API") {
		t.Errorf("the portal's OpenAPI: %d", code)
	}
	if code, _, body := fetch(t, "POST", base+"/portal/api/access", map[string]string{"Content-Type": "application/json"}, `{"email":"nobody@example.com"}`); code != 202 {
		t.Errorf("POST /portal/api/access: %d %s", code, body)
	}
	if code, _, body := fetch(t, "GET", base+"/", nil, ""); code != 200 || !strings.Contains(body, "Stackdesk console") {
		t.Errorf("the console at /: %d %.60q", code, body)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(base + "/portal")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/portal/" {
		t.Errorf("/portal: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	site := httptest.NewServer(localrun.DemoSite(base))
	t.Cleanup(site.Close)
	if code, _, body := fetch(t, "GET", site.URL+"/demo-site.html", nil, ""); code != 200 ||
		!strings.Contains(body, `<script src="`+base+`/portal/help.js" async></script>`) {
		t.Errorf("the demo site: %d\n%s", code, body)
	}
}

// The sign-in link points at the portal's sign-in route on the local URL.
func TestPortalLinkBase(t *testing.T) {
	if got := localrun.PortalLinkBase("http://127.0.0.1:8080/"); got != "http://127.0.0.1:8080/portal/#/signin?token=" {
		t.Errorf("PortalLinkBase: %q", got)
	}
}
