package localrun_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/smtp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/fuzzapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Every operation of the agent API's OpenAPI document, fuzzed by
// schemathesis from the document the stack serves, signed in as the admin
// (sees every ticket) and as an agent who sees only their team's: no input
// may get a 5xx, and every response must be one the document describes.
func TestAgentAPIFuzzedFromItsOpenAPIDocument(t *testing.T) {
	bin := fuzzapi.Bin(t)
	s := start(t)
	for i, subject := range []string{"Late order", "Refund please"} {
		body := fmt.Sprintf(`{"email":"c%d@example.com","subject":%q,"description":"Order %d"}`, i, subject, 1042+i)
		if code, _ := s.post(t, "/forms/"+s.demo.FormChannelID, body, nil); code != 202 {
			t.Fatalf("form: %d", code)
		}
	}
	// A mail ticket too, answered on its own channel.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mail := s.r.ServeSMTP(ln)
	defer mail.Close()
	if err := smtp.SendMail(ln.Addr().String(), nil, "ann@example.com", []string{s.demo.EmailAddress},
		[]byte(rawMail("fuzz@example.com", "Where is my order?"))); err != nil {
		t.Fatal(err)
	}
	s.drain(t)
	callers := map[string]string{"admin": s.demo.AgentEmails[0], "agent": s.demo.AgentEmails[1]}
	tokens := map[string]string{}
	for name, email := range callers {
		token, code := s.signIn(t, email, s.demo.Password)
		if code != 200 || token == "" {
			t.Fatalf("sign in %s: %d", email, code)
		}
		tokens[name] = token
	}
	// One ticket the agent may not see: a form's, made the admin's own, in
	// no team (the mail ticket stays the agent's to reply to).
	tickets := s.tickets(t)
	if len(tickets) != 3 {
		t.Fatalf("%d tickets, want 3", len(tickets))
	}
	hidden := tickets[slices.IndexFunc(tickets, func(tk helpdesk.Ticket) bool { return tk.ChannelID == s.demo.FormChannelID })].ID
	req, _ := http.NewRequest(http.MethodPatch, s.srv.URL+"/api/tickets/"+hidden, strings.NewReader(`{"owner_id":"alice","team_id":""}`))
	req.Header.Set("Authorization", "Bearer "+tokens["admin"])
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("PATCH ticket %s: %v %v", hidden, resp, err)
	} else {
		resp.Body.Close()
	}
	if code, _ := s.get(t, "/api/tickets/"+hidden, tokens["agent"]); code != 404 {
		t.Fatalf("the agent sees the admin's ticket: %d", code)
	}

	// The document as the stack serves it, run from a file so that its own
	// route is fuzzed too (schemathesis leaves out the URL it loaded from).
	dir := t.TempDir()
	doc := filepath.Join(dir, "openapi.yaml")
	resp, err := http.Get(s.srv.URL + "/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /api/openapi.yaml: %d %v", resp.StatusCode, err)
	}
	if err := os.WriteFile(doc, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	// Real ticket ids, versions and the team are mixed into what is
	// generated, so the ticket routes are fuzzed past their 404.
	var ids, etags []string
	for _, tk := range tickets {
		ids = append(ids, strconv.Quote(tk.ID))
	}
	for v := 1; v <= 4; v++ {
		etags = append(etags, strconv.Quote(`"`+strconv.Itoa(v)+`"`))
	}
	config := filepath.Join(dir, "schemathesis.toml")
	if err := os.WriteFile(config, []byte(fmt.Sprintf(`[dictionaries.tickets]
values = [%s]

[dictionaries.etags]
values = [%s]

[dictionaries.teams]
values = [%q]

[parameters]
"path.id" = { dictionary = "tickets", probability = 0.6 }
"header.If-Match" = { dictionary = "etags", probability = 0.3 }
"query.team" = { dictionary = "teams", probability = 0.5 }
`, strings.Join(ids, ", "), strings.Join(etags, ", "), s.demo.TeamID)), 0o644); err != nil {
		t.Fatal(err)
	}

	// A bound, not a budget: 50 operations at 25 examples take about 1m40s
	// under -race on two cores; a loaded machine takes longer.
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(max(1, fuzzapi.Examples()/fuzzapi.DefaultExamples))*6*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	for name, token := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			run := fuzzapi.Run{Name: name, Doc: doc, URL: s.srv.URL, Config: config,
				Headers: []string{"Authorization: Bearer " + token}, Secrets: []string{token}}
			sum, out, err := run.Do(ctx, t, bin)
			t.Logf("schemathesis as %s: %s", name, sum)
			if err != nil {
				t.Errorf("schemathesis as %s (%s) failed: %v\n%s", name, callers[name], err, out)
			}
		}()
	}
	wg.Wait()
}
