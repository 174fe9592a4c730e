package localrun_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// startConsole starts a local stack serving a console build from a temp
// directory (a stand-in for web/dist, so this test needs no npm).
func startConsole(t *testing.T) (stack, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"index.html": "<!doctype html><title>Stackdesk console</title>", "assets/index-abc.js": "console.log(1)"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := testbed.AWS(t, "DYNAMODB", "SQS", "S3", "SECRETS_MANAGER", "COGNITO_IDENTITY_PROVIDER")
	ctx := context.Background()
	r, err := localrun.New(ctx, cfg, localrun.Config{Prefix: testbed.Name(t), Tenant: "demo", ReplyTokenSecret: []byte("localrun-test-reply-token-secret"),
		Log: quiet, VisibilityTimeout: 2 * time.Second, ConsoleDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	demo, err := r.Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	return stack{r: r, demo: demo, srv: srv}, dir
}

func fetch(t *testing.T, method, url string, headers map[string]string, body string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// cognito calls the user pool as the console does: unsigned JSON through
// the local stack's same-origin proxy.
func cognito(t *testing.T, s stack, action string, body any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	code, _, out := fetch(t, http.MethodPost, s.srv.URL+localrun.ConsoleCognitoPath, map[string]string{
		"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSCognitoIdentityProviderService." + action}, string(b))
	var m map[string]any
	_ = json.Unmarshal([]byte(out), &m)
	return code, m
}

// The console's config names the stack's user pool and the Cognito proxy;
// through it, a demo agent signs in with USER_PASSWORD_AUTH as the browser
// does, the access token works on the agent API, a refresh gives a new one,
// and GlobalSignOut revokes the refresh token.
func TestConsoleSignsInThroughTheCognitoProxy(t *testing.T) {
	s, _ := startConsole(t)
	code, hdr, body := fetch(t, http.MethodGet, s.srv.URL+"/config.json", nil, "")
	var cfg localrun.ConsoleConfig
	if err := json.Unmarshal([]byte(body), &cfg); code != 200 || err != nil {
		t.Fatalf("config.json: %d %v %s", code, err, body)
	}
	if want := s.r.ConsoleConfig(cfg.Cognito.Region); cfg != want || cfg.APIBaseURL != "" || cfg.Cognito.ClientID == "" || cfg.Cognito.UserPoolID == "" ||
		cfg.Cognito.Endpoint != localrun.ConsoleCognitoPath || hdr.Get("Cache-Control") != "no-store" {
		t.Fatalf("config.json: %+v (%s)", cfg, hdr.Get("Cache-Control"))
	}
	code, out := cognito(t, s, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cfg.Cognito.ClientID,
		"AuthParameters": map[string]string{"USERNAME": s.demo.AgentEmails[1], "PASSWORD": s.demo.Password}})
	res, _ := out["AuthenticationResult"].(map[string]any)
	access, _ := res["AccessToken"].(string)
	refresh, _ := res["RefreshToken"].(string)
	if code != 200 || access == "" || refresh == "" {
		t.Fatalf("sign in: %d %v", code, out)
	}
	if code, me := s.get(t, "/api/me", access); code != 200 || me["agent"].(map[string]any)["id"] != "bob" {
		t.Fatalf("/api/me with the console's token: %d %v", code, me)
	}
	if code, out := cognito(t, s, "InitiateAuth", map[string]any{"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": cfg.Cognito.ClientID,
		"AuthParameters": map[string]string{"USERNAME": s.demo.AgentEmails[1], "PASSWORD": "wrong"}}); code != 400 || out["__type"] != "NotAuthorizedException" {
		t.Errorf("wrong password: %d %v", code, out)
	}
	refreshAuth := map[string]any{"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": cfg.Cognito.ClientID, "AuthParameters": map[string]string{"REFRESH_TOKEN": refresh}}
	code, out = cognito(t, s, "InitiateAuth", refreshAuth)
	res, _ = out["AuthenticationResult"].(map[string]any)
	if fresh, _ := res["AccessToken"].(string); code != 200 || fresh == "" {
		t.Fatalf("refresh: %d %v", code, out)
	} else if code, _ := s.get(t, "/api/me", fresh); code != 200 {
		t.Fatalf("/api/me with the refreshed token: %d", code)
	}
	if code, out := cognito(t, s, "GlobalSignOut", map[string]any{"AccessToken": access}); code != 200 {
		t.Fatalf("sign out: %d %v", code, out)
	}
	if code, out := cognito(t, s, "InitiateAuth", refreshAuth); code != 400 || out["__type"] != "NotAuthorizedException" {
		t.Errorf("refresh after sign-out: %d %v, want the refresh token revoked", code, out)
	}
	// The proxy passes the console's calls only, not the emulator's admin API.
	if code, out := cognito(t, s, "AdminCreateUser", map[string]any{"UserPoolId": cfg.Cognito.UserPoolID, "Username": "mallory@example.com"}); code != 400 {
		t.Errorf("AdminCreateUser through the proxy: %d %v", code, out)
	}
}

// The built console is served at /: its files as they are, index.html for
// the app's own paths (a deep link), and never for the API's or the local
// stack's paths, which keep their 404s.
func TestConsoleIsServedWithTheSinglePageFallback(t *testing.T) {
	s, _ := startConsole(t)
	for _, path := range []string{"/", "/tickets/42", "/views/my_open", "/sign-in?next=%2Ftickets%2F1"} {
		if code, hdr, body := fetch(t, http.MethodGet, s.srv.URL+path, nil, ""); code != 200 || !strings.Contains(body, "Stackdesk console") ||
			!strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || hdr.Get("Cache-Control") != "no-cache" {
			t.Errorf("GET %s: %d %q %v", path, code, body, hdr)
		}
	}
	if code, hdr, body := fetch(t, http.MethodGet, s.srv.URL+"/assets/index-abc.js", nil, ""); code != 200 || body != "console.log(1)" ||
		!strings.Contains(hdr.Get("Cache-Control"), "immutable") {
		t.Errorf("asset: %d %q %v", code, body, hdr)
	}
	for _, path := range []string{"/api/nope", "/api", "/local/nope", "/forms/contact-form", "/assets/missing.js/../../api/x"} {
		if code, _, body := fetch(t, http.MethodGet, s.srv.URL+path, nil, ""); code != 404 || strings.Contains(body, "Stackdesk console") {
			t.Errorf("GET %s: %d %q, want a 404 that is not the console", path, code, body)
		}
	}
	// The API's own routes still answer as the API.
	if code, _, body := fetch(t, http.MethodGet, s.srv.URL+"/api/me", nil, ""); code != 401 || !strings.Contains(body, "error") {
		t.Errorf("/api/me unsigned: %d %s", code, body)
	}
}
