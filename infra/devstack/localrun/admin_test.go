package localrun_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

func (s stack) call(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
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

// An admin invites a user through the agent API: the stack's user pool
// (moto) gets the user, who signs in with real tokens and is the desk's
// user; deactivated, their token is refused at once and the pool no
// longer signs them in; reactivated, both work again.
func TestInvitedUserSignsInAndIsDeactivated(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	admin, code := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	if code != 200 {
		t.Fatalf("admin sign-in: %d", code)
	}
	code, user := s.call(t, "POST", "/api/users", admin, `{"email":"eve@example.com","name":"Eve","role":"agent","team_ids":["`+s.demo.TeamID+`"]}`)
	if code != 201 {
		t.Fatalf("invite: %d %v", code, user)
	}
	id := user["id"].(string)

	// Eve sets her password from the invitation (here: set for her).
	cfg := testbed.AWS(t, testbed.CognitoService)
	pool := s.r.Stack.UserPools["UserPool"]
	const password = "Eves-Own-Pass-1"
	if _, err := cip.NewFromConfig(cfg).AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &pool,
		Username: aws.String("eve@example.com"), Password: aws.String(password), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	eve, code := s.signIn(t, "eve@example.com", password)
	if code != 200 {
		t.Fatalf("the invited user's sign-in: %d", code)
	}
	code, me := s.get(t, "/api/me", eve)
	if code != 200 || me["agent"].(map[string]any)["id"] != id || len(me["teams"].([]any)) != 1 {
		t.Fatalf("the invited user's /api/me: %d %v", code, me)
	}

	if code, out := s.call(t, "PATCH", "/api/users/"+id, admin, `{"active":false}`); code != 200 {
		t.Fatalf("deactivate: %d %v", code, out)
	}
	if code, _ := s.get(t, "/api/me", eve); code != 401 {
		t.Fatalf("a deactivated user's unexpired token: %d, want 401", code)
	}
	if _, code := s.signIn(t, "eve@example.com", password); code == 200 {
		t.Fatal("the pool still signs a deactivated user in")
	}
	if code, out := s.call(t, "PATCH", "/api/users/"+id, admin, `{"active":true}`); code != 200 {
		t.Fatalf("reactivate: %d %v", code, out)
	}
	if eve, code = s.signIn(t, "eve@example.com", password); code != 200 {
		t.Fatalf("sign-in after reactivation: %d", code)
	}
	if code, _ := s.get(t, "/api/me", eve); code != 200 {
		t.Fatalf("the reactivated user: %d", code)
	}
	code, trail := s.call(t, "GET", "/api/audit", admin, "")
	if code != 200 || len(trail["entries"].([]any)) < 3 {
		t.Fatalf("audit: %d %v", code, trail)
	}
}
