package webhook_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
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

// The link (GET) and the one-click POST record the opt-out once; a
// tampered, foreign or missing token answers 401 and records nothing.
func TestUnsubscribeLinkRecordsTheOptOut(t *testing.T) {
	srv, st := unsubscribeServer(t, "tenant-a-reply-secret")
	closed, _ := unsubscribe.Token(unsubscribe.Key([]byte("tenant-a-reply-secret")), "c1", helpdesk.CustomerClosed)
	waiting, _ := unsubscribe.Token(unsubscribe.Key([]byte("tenant-a-reply-secret")), "c1", helpdesk.CustomerWaiting)
	foreign, _ := unsubscribe.Token(unsubscribe.Key([]byte("tenant-b-reply-secret")), "c1", helpdesk.CustomerReopened)
	for _, tok := range []string{"", closed[:len(closed)-3] + "AAA", foreign, "x.y"} {
		res, err := http.Get(srv.URL + "/unsubscribe?token=" + url.QueryEscape(tok))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 401 || !strings.Contains(string(raw), unsubscribe.ReasonBadToken) {
			t.Errorf("token %q: %d %s, want 401 %s", tok, res.StatusCode, raw, unsubscribe.ReasonBadToken)
		}
	}
	if got, _ := st.OptOuts(context.Background(), "c1"); len(got) != 0 {
		t.Fatalf("refused tokens recorded %v", got)
	}
	for range 2 { // a second click changes nothing
		res, err := http.Get(srv.URL + "/unsubscribe?token=" + url.QueryEscape(closed))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(raw), "You are unsubscribed") || !strings.Contains(string(raw), "request closed") {
			t.Fatalf("GET: %d %s", res.StatusCode, raw)
		}
	}
	res, err := http.Post(srv.URL+"/unsubscribe?token="+url.QueryEscape(waiting), "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
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
