package webhook_test

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

func unsubscribeServer(t *testing.T, secret string) (*httptest.Server, *memstore.Store) {
	t.Helper()
	st := memstore.New()
	mux := http.NewServeMux()
	(&webhook.Unsubscribe{Key: unsubscribe.Key([]byte(secret)), Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}).Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, st
}

// The link (GET) and the one-click POST: a refused token (tampered,
// foreign, missing) answers 401 on both and records nothing; a good one's
// GET records nothing (a mail scanner fetching the link unsubscribes no
// one) and shows a page whose form POSTs; the POST records the opt-out once.
func TestUnsubscribeLinkRecordsTheOptOut(t *testing.T) {
	srv, st := unsubscribeServer(t, "tenant-a-reply-secret")
	closed, _ := unsubscribe.Token(unsubscribe.Key([]byte("tenant-a-reply-secret")), "c1", helpdesk.CustomerClosed)
	waiting, _ := unsubscribe.Token(unsubscribe.Key([]byte("tenant-a-reply-secret")), "c1", helpdesk.CustomerWaiting)
	foreign, _ := unsubscribe.Token(unsubscribe.Key([]byte("tenant-b-reply-secret")), "c1", helpdesk.CustomerReopened)
	for _, tok := range []string{"", closed[:len(closed)-3] + "AAA", foreign, "x.y"} {
		for _, method := range []string{"GET", "POST"} {
			res, raw := do(t, method, srv.URL+"/unsubscribe?token="+url.QueryEscape(tok))
			if res.StatusCode != 401 || !strings.Contains(raw, unsubscribe.ReasonBadToken) {
				t.Errorf("%s token %q: %d %s, want 401 %s", method, tok, res.StatusCode, raw, unsubscribe.ReasonBadToken)
			}
			strictHeaders(t, res)
		}
	}
	if got, _ := st.OptOuts(context.Background(), "c1"); len(got) != 0 {
		t.Fatalf("refused tokens recorded %v", got)
	}

	// What a scanner (or the customer) fetching the link gets: a question.
	link := srv.URL + "/unsubscribe?token=" + url.QueryEscape(closed)
	res, page := do(t, "GET", link)
	if res.StatusCode != 200 || !strings.Contains(page, "Unsubscribe?") || !strings.Contains(page, "request closed") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET: %d %s", res.StatusCode, page)
	}
	strictHeaders(t, res)
	if got, _ := st.OptOuts(context.Background(), "c1"); len(got) != 0 {
		t.Fatalf("fetching the link unsubscribed: %v", got)
	}
	// Its button, as a browser submits it.
	action := formAction(t, page)
	if !strings.EqualFold(action.method, "post") {
		t.Fatalf("the page's form method %q, want post", action.method)
	}
	base, _ := url.Parse(link)
	ref, err := url.Parse(action.action)
	if err != nil {
		t.Fatal(err)
	}
	target := base.ResolveReference(ref)
	if target.Path != "/unsubscribe" || target.Query().Get("token") != closed {
		t.Fatalf("the form posts to %s, want /unsubscribe with the link's token", target)
	}
	for range 2 { // a second click changes nothing
		res, raw := do(t, "POST", target.String())
		if res.StatusCode != 200 || !strings.Contains(raw, "You are unsubscribed") || !strings.Contains(raw, "request closed") {
			t.Fatalf("the page's POST: %d %s", res.StatusCode, raw)
		}
		strictHeaders(t, res)
	}
	res, err = http.Post(srv.URL+"/unsubscribe?token="+url.QueryEscape(waiting), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("one-click POST: %d", res.StatusCode)
	}
	got, _ := st.OptOuts(context.Background(), "c1")
	if want := []helpdesk.CustomerNotifyKind{helpdesk.CustomerClosed, helpdesk.CustomerWaiting}; !slices.Equal(got, want) {
		t.Fatalf("opt-outs %v, want %v", got, want)
	}
}

// do sends an empty-bodied form request (what the page's button sends).
func do(t *testing.T, method, u string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(""))
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(raw)
}

func strictHeaders(t *testing.T, res *http.Response) {
	t.Helper()
	for h, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff"} {
		if got := res.Header.Get(h); got != want {
			t.Errorf("%s %s: %s %q, want %q", res.Request.Method, res.Request.URL.Path, h, got, want)
		}
	}
	if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "form-action 'self'") {
		t.Errorf("%s: Content-Security-Policy %q", res.Request.Method, csp)
	}
}

var formTag = regexp.MustCompile(`<form method="([^"]*)" action="([^"]*)"`)

// formAction reads the page's one form (the page is ours: a fixed shape).
func formAction(t *testing.T, page string) struct{ method, action string } {
	t.Helper()
	m := formTag.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no form on the page:\n%s", page)
	}
	return struct{ method, action string }{m[1], html.UnescapeString(m[2])}
}
