package webhook_test

import (
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/fuzzapi"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

// The unsubscribe link's OpenAPI document is its routes, and its answers
// (done, refused) are ones the document describes, no-store included;
// infra/devstack/portalfuzz fuzzes it from the document.
func TestOpenAPIDocumentsTheUnsubscribeLink(t *testing.T) {
	u := &webhook.Unsubscribe{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mux := http.NewServeMux()
	u.Register(mux)
	fuzzapi.HoldRoutes(t, webhook.UnsubscribeOpenAPI, slices.Collect(maps.Keys(u.Routes())), mux)

	srv, _ := unsubscribeServer(t, "tenant-a-reply-secret")
	contract := fuzzapi.NewContract(t, webhook.UnsubscribeOpenAPI)
	good, _ := unsubscribe.Token(unsubscribe.Key([]byte("tenant-a-reply-secret")), "c1", helpdesk.CustomerClosed)
	var got []int
	for _, c := range []struct{ method, token string }{{"GET", good}, {"POST", good}, {"GET", "forged"}, {"POST", ""}} {
		req, _ := http.NewRequest(c.method, srv.URL+"/unsubscribe?token="+url.QueryEscape(c.token), strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		contract.Check(t, req, resp, raw)
		got = append(got, resp.StatusCode)
	}
	if want := []int{200, 200, 401, 401}; !slices.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
}
