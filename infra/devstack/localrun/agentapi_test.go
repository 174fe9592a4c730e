package localrun_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// signIn gets a demo agent's access token from the local user pool (moto).
func (s stack) signIn(t *testing.T, email, password string) (string, int) {
	t.Helper()
	code, out := s.post(t, "/local/token", `{"email":"`+email+`","password":"`+password+`"}`, nil)
	tok, _ := out["access_token"].(string)
	return tok, code
}

func (s stack) get(t *testing.T, path, token string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.srv.URL+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// From make run to a listed view with real tokens from the stack's user
// pool (moto's Cognito, RS256, keys fetched from its JWKS URL): the demo
// admin signs in, sees herself and the form ticket she can see; a bad
// password, a forged token and no token are refused.
func TestAgentAPIWithTheLocalUserPool(t *testing.T) {
	s := start(t)
	if code, _ := s.post(t, "/forms/"+s.demo.FormChannelID, `{"email":"ann@example.com","subject":"Late order","description":"Order 1042"}`, nil); code != 202 {
		t.Fatalf("form: %d", code)
	}
	s.drain(t)
	token, code := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	if code != 200 || strings.Count(token, ".") != 2 {
		t.Fatalf("sign in: %d, token %q", code, token)
	}
	code, me := s.get(t, "/api/me", token)
	agent, _ := me["agent"].(map[string]any)
	if code != 200 || agent["id"] != "alice" || agent["role"] != "admin" {
		t.Fatalf("GET /api/me: %d %v", code, me)
	}
	code, page := s.get(t, "/api/views/all_open/tickets", token)
	tickets, _ := page["tickets"].([]any)
	if code != 200 || len(tickets) != 1 || tickets[0].(map[string]any)["subject"] != "Late order" {
		t.Fatalf("GET all open: %d %v", code, page)
	}
	if _, code := s.signIn(t, s.demo.AgentEmails[0], "wrong-password-1A"); code != 401 {
		t.Fatalf("a wrong password signed in: %d", code)
	}
	forged := token[:strings.LastIndex(token, ".")+1] + "c2lnbmF0dXJl"
	for name, tok := range map[string]string{"forged": forged, "none": ""} {
		if code, _ := s.get(t, "/api/me", tok); code != 401 {
			t.Errorf("%s token: %d, want 401", name, code)
		}
	}
}

// Restarting `make run` reuses the stack's user pool, whose users exist
// already: the seed finds them by email (their username is a generated id)
// and sign-in still works.
func TestRestartKeepsTheDemoUsers(t *testing.T) {
	prefix := testbed.Name(t)
	first := startAs(t, prefix)
	again := startAs(t, prefix)
	a1, err := first.r.Store.GetAgent(context.Background(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	if token, code := again.signIn(t, again.demo.AgentEmails[0], again.demo.Password); code != 200 {
		t.Fatalf("sign in after a restart: %d", code)
	} else if code, me := again.get(t, "/api/me", token); code != 200 || me["agent"].(map[string]any)["id"] != "alice" {
		t.Fatalf("GET /api/me after a restart: %d %v", code, me)
	}
	if a2, _ := again.r.Store.GetAgent(context.Background(), "alice"); a2.Sub != a1.Sub || a1.Sub == "" {
		t.Fatalf("alice's sub %q after the restart, %q before", a2.Sub, a1.Sub)
	}
}
