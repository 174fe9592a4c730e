package csatpage_test

import (
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/fuzzapi"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/csatpage"
	"github.com/stackdesk/stackdesk/shared/csat"
)

// The page's OpenAPI document is its routes, and every answer the page
// gives (form, thanks, each refusal) is one the document describes;
// infra/devstack/portalfuzz fuzzes the page from it.
func TestOpenAPIDocumentsThePage(t *testing.T) {
	h := &csatpage.Handler{}
	mux := http.NewServeMux()
	h.Register(mux)
	fuzzapi.HoldRoutes(t, csatpage.OpenAPI, slices.Collect(maps.Keys(h.Routes())), mux)

	f := newFixture(t, testbed.Mem)
	contract := fuzzapi.NewContract(t, csatpage.OpenAPI)
	do := func(method, token string, form url.Values) int {
		t.Helper()
		var req *http.Request
		if method == "GET" {
			req, _ = http.NewRequest("GET", f.srv.URL+"/csat?token="+url.QueryEscape(token), nil)
		} else {
			req, _ = http.NewRequest("POST", f.srv.URL+"/csat", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		contract.Check(t, req, resp, raw)
		return resp.StatusCode
	}
	link := f.link("7")
	var got []int
	got = append(got, do("GET", link, nil), do("GET", "forged", nil), do("GET", f.link("8"), nil))
	got = append(got, do("POST", "", url.Values{"token": {link}, "score": {"9"}}))
	got = append(got, do("POST", "", url.Values{"token": {link}, "score": {"4"}, "comment": {"ok"}}))
	got = append(got, do("POST", "", url.Values{"token": {link}, "score": {"4"}}), do("GET", link, nil))
	f.now = f.now.Add(csat.Window)
	got = append(got, do("POST", "", url.Values{"token": {f.link("7")}, "score": {"4"}}))
	if want := []int{200, 401, 200, 400, 201, 409, 200, 409}; !slices.Equal(got, want) {
		t.Fatalf("statuses %v, want %v", got, want)
	}
}
