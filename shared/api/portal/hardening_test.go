package portal_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/portal"
)

// escaped is n characters the way a JSON encoder may write them at their
// longest: a character outside the BMP as two \u escapes (12 bytes).
func escaped(n int) string { return strings.Repeat(`\ud83d\ude00`, n) }

// A request the contract allows is never refused for its size: each body
// at its documented maximum (every string at maxLength, each character
// at its longest JSON spelling) is read, not answered 413. The bodies
// before the fix were bounded by bytes the contract's lengths can exceed
// (a 50,000-character reply in Chinese is 150 KB as UTF-8).
func TestBodiesAtTheContractsMaximumAreRead(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	s := f.signIn(t, "cus1@example.com")
	hex := strings.Repeat("a", 32)
	ten := `["` + strings.Repeat(hex+`","`, 9) + hex + `"]`
	for _, c := range []struct{ path, session, body string }{
		{"/portal/api/access", "", `{"email":"` + escaped(254) + `"}`},
		{"/portal/api/session", "", `{"token":"` + escaped(200) + `","email":"` + escaped(254) + `","code":"` + escaped(12) + `","phone":"` + escaped(32) + `"}`},
		{"/portal/api/uploads", s, `{"name":"` + escaped(255) + `","content_type":"` + escaped(255) + `","size":10485760}`},
		{"/portal/api/tickets/1/replies", s, `{"text":"` + escaped(50000) + `","attachments":` + ten + `,"close":false}`},
		{"/portal/api/tickets", s, `{"subject":"` + escaped(200) + `","text":"` + escaped(50000) + `","attachments":` + ten + `}`},
		{"/portal/api/tickets/3/rating", s, `{"score":5,"comment":"` + escaped(2000) + `"}`},
	} {
		if r := f.do(t, "POST", c.path, c.session, c.body); r.status == http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s with a %d-byte body the contract allows: %d %s", c.path, len(c.body), r.status, r.raw)
		}
	}
	// Beyond the bound, still a 413 with a reason.
	if r := f.do(t, "POST", "/portal/api/tickets/1/replies", s, `{"text":"`+escaped(60000)+`"}`); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("a reply over every bound: %d %s", r.status, r.raw)
	}
	_ = portal.SessionCookie
}

// A null is refused, not read as a field left out (schemathesis found
// {"email": ..., "phone": null} answered 202).
func TestNullFieldsAreRefused(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	s := f.signIn(t, "cus1@example.com")
	for _, c := range []struct{ path, session, body string }{
		{"/portal/api/access", "", `{"email":"cus1@example.com","phone":null}`},
		{"/portal/api/session", "", `{"token":null,"email":"cus1@example.com","code":"123456"}`},
		{"/portal/api/uploads", s, `{"name":"a.pdf","content_type":null,"size":10}`},
		{"/portal/api/tickets/1/replies", s, `{"text":"Hi","attachments":[null]}`},
		{"/portal/api/tickets", s, `{"subject":"S","text":"T","attachments":null}`},
		{"/portal/api/tickets/3/rating", s, `{"score":5,"comment":null}`},
	} {
		if r := f.do(t, "POST", c.path, c.session, c.body); r.status != 400 || reason(r) != "null_field" {
			t.Errorf("POST %s %s: %d %s, want 400 null_field", c.path, c.body, r.status, r.raw)
		}
	}
	if n := len(f.queue.all()); n != 0 {
		t.Fatalf("%d actions queued from refused bodies", n)
	}
}

// raw sends a request as a browser would, with the given headers (the
// session cookie among them), through the contract check.
func (f *fixture) raw(t *testing.T, method, path, body string, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	req.Header.Set("X-Test-IP", "192.0.2.200")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	checkContract(t, req, resp, b)
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(b)}
	_ = json.Unmarshal(b, &out.body)
	return out
}

// A cross-site HTML form can POST a JSON-looking body (enctype
// text/plain) and carry cookies; it cannot declare application/json
// without a CORS preflight, which the portal never answers. So no route
// reads a body not declared as JSON: each answers 415 json_required and
// does nothing (no mail, no action, no rating, no session).
func TestBodiesMustBeDeclaredJSON(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	s := f.signIn(t, "cus1@example.com")
	tok, _ := f.access(t, "cus1@example.com")
	mails := len(f.out.jobs)
	cookie := portal.SessionCookie + "=" + s
	bodies := map[string]string{
		"POST /portal/api/access":               `{"email":"cus1@example.com"}`,
		"POST /portal/api/session":              `{"token":"` + tok + `"}`,
		"POST /portal/api/uploads":              `{"name":"a.pdf","content_type":"application/pdf","size":10}`,
		"POST /portal/api/tickets/{id}/replies": `{"text":"from another site"}`,
		"POST /portal/api/tickets":              `{"subject":"S","text":"from another site"}`,
		"POST /portal/api/tickets/{id}/rating":  `{"score":1}`,
	}
	for _, rt := range (&portal.API{}).Routes() {
		body, ok := bodies[rt.Pattern]
		if !ok {
			continue
		}
		delete(bodies, rt.Pattern)
		method, path, _ := strings.Cut(rt.Pattern, " ")
		path = strings.ReplaceAll(path, "{id}", "3")
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""} {
			// With the Bearer header (a script's request): 415.
			r := f.raw(t, method, path, body, map[string]string{"Content-Type": ct, "Authorization": "Bearer " + s})
			if r.status != http.StatusUnsupportedMediaType || reason(r) != "json_required" {
				t.Errorf("%s as %q: %d %s, want 415 json_required", rt.Pattern, ct, r.status, r.raw)
			}
			// With the cookie (a form's request): refused too, by the
			// content type or, signed in, by the cookie not being taken.
			r = f.raw(t, method, path, body, map[string]string{"Content-Type": ct, "Cookie": cookie})
			if r.status != http.StatusUnsupportedMediaType && r.status != http.StatusUnauthorized {
				t.Errorf("%s as %q with the cookie: %d %s, want 415 or 401", rt.Pattern, ct, r.status, r.raw)
			}
		}
	}
	if len(bodies) > 0 {
		t.Errorf("routes with a body not served: %v", bodies)
	}
	if len(f.out.jobs) != mails || len(f.queue.all()) != 0 {
		t.Errorf("refused bodies did work: %d mails, %d actions", len(f.out.jobs)-mails, len(f.queue.all()))
	}
	// The link was not used up by the refused exchange, and the rating not taken.
	if r := f.do(t, "POST", "/portal/api/session", "", `{"token":"`+tok+`"}`); r.status != 201 {
		t.Errorf("the link after a refused exchange: %d %s", r.status, r.raw)
	}
	if r := f.do(t, "GET", "/portal/api/tickets/3", s, ""); r.body["rating"] != nil {
		t.Errorf("a refused rating was taken: %s", r.raw)
	}
	// With parameters, application/json is read.
	if r := f.raw(t, "POST", "/portal/api/access", `{"email":"cus1@example.com"}`, map[string]string{"Content-Type": "application/json; charset=utf-8"}); r.status != 202 {
		t.Errorf("application/json; charset=utf-8: %d %s", r.status, r.raw)
	}
}

// The session cookie is HttpOnly, Secure, SameSite=Strict, for the API's
// path only; it signs a customer in alone (the pages may use it), but not
// on a request the browser says came from another site, sibling
// subdomains included (Sec-Fetch-Site: same-site), whatever the method.
func TestSessionCookieIsStrictAndNotTakenCrossSite(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	tok, _ := f.access(t, "cus1@example.com")
	r := f.do(t, "POST", "/portal/api/session", "", `{"token":"`+tok+`"}`)
	var c *http.Cookie
	for _, k := range (&http.Response{Header: r.header}).Cookies() {
		if k.Name == portal.SessionCookie {
			c = k
		}
	}
	if c == nil || c.Value != r.body["session"] || !c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.Path != "/portal/api" {
		t.Fatalf("session cookie: %+v", c)
	}
	cookie := portal.SessionCookie + "=" + c.Value
	for _, site := range []string{"", "none", "same-origin"} {
		h := map[string]string{"Cookie": cookie, "Sec-Fetch-Site": site}
		if r := f.raw(t, "GET", "/portal/api/tickets", "", h); r.status != 200 {
			t.Errorf("cookie, Sec-Fetch-Site %q: %d %s", site, r.status, r.raw)
		}
	}
	for _, site := range []string{"cross-site", "same-site"} {
		for _, rq := range []struct{ method, path, body string }{
			{"GET", "/portal/api/tickets", ""}, {"GET", "/portal/api/me", ""},
			{"POST", "/portal/api/tickets/1/close", ""}, {"POST", "/portal/api/tickets/3/reopen", ""},
			{"POST", "/portal/api/me/visit", ""}, {"DELETE", "/portal/api/session", ""},
		} {
			h := map[string]string{"Cookie": cookie, "Sec-Fetch-Site": site}
			if r := f.raw(t, rq.method, rq.path, rq.body, h); r.status != 401 {
				t.Errorf("%s %s with the cookie from a %s page: %d %s, want 401", rq.method, rq.path, site, r.status, r.raw)
			}
		}
	}
	// A browser that sends no Sec-Fetch-Site: a change by the cookie alone
	// needs the JSON content type no HTML form can send.
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded"} {
		h := map[string]string{"Cookie": cookie, "Content-Type": ct}
		if r := f.raw(t, "POST", "/portal/api/tickets/1/close", "", h); r.status != 401 {
			t.Errorf("close by the cookie as %q: %d %s, want 401", ct, r.status, r.raw)
		}
	}
	if n := len(f.queue.all()); n != 0 {
		t.Fatalf("%d actions queued from another site", n)
	}
	h := map[string]string{"Cookie": cookie, "Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}
	if r := f.raw(t, "POST", "/portal/api/tickets/1/close", "", h); r.status != 202 {
		t.Errorf("close by the cookie from the portal's own page: %d %s", r.status, r.raw)
	}
	// The session survived the cross-site DELETE.
	if r := f.raw(t, "GET", "/portal/api/me", "", map[string]string{"Cookie": cookie}); r.status != 200 {
		t.Fatalf("the session after a cross-site sign-out: %d %s", r.status, r.raw)
	}
}

// Every answer of every route says no-store (the customer's data, and
// whether a session is good, must not sit in a browser's or a proxy's
// cache), errors and 204s included; only the public branding and the
// document may be cached.
func TestAnswersAreNotStored(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	s := f.signIn(t, "cus1@example.com")
	public := map[string]bool{"GET /portal/api/tenant": true, "GET /portal/api/openapi.yaml": true}
	for _, rt := range (&portal.API{}).Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		for _, id := range []string{"1", "2"} {
			p := strings.NewReplacer("{id}", id, "{message_id}", "portal-"+strings.Repeat("0", 32)).Replace(path)
			for _, sess := range []string{s, ""} {
				if rt.Pattern == "DELETE /portal/api/session" && sess != "" {
					continue
				}
				r := f.do(t, method, p, sess, "")
				if rt.Pattern != "GET /portal/api/openapi.yaml" && r.header.Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("%s %s → %d: no X-Content-Type-Options: nosniff", method, p, r.status)
				}
				cc := r.header.Get("Cache-Control")
				if public[rt.Pattern] && r.status == 200 {
					if strings.Contains(cc, "no-store") {
						t.Errorf("%s: %q, want cacheable", rt.Pattern, cc)
					}
					continue
				}
				if cc != "no-store" {
					t.Errorf("%s %s (session %v) → %d: Cache-Control %q, want no-store", method, p, sess != "", r.status, cc)
				}
			}
		}
	}
}
