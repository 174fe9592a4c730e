package portal

// What every portal request and answer is held to beyond its route:
// bodies are JSON, declared as JSON, with no nulls; personal answers are
// never stored by a cache; a cookie sent from another site is no
// credential.

import (
	"net/http"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var (
	errJSONRequired = helpdesk.Errorf(helpdesk.EUnsupported, "json_required", "send the body as Content-Type: application/json")
	errNullField    = helpdesk.Errorf(helpdesk.EInvalid, "null_field", "leave a field out rather than sending null")
)

// readJSON reads a request body as httpjson.ReadStrict does (unknown
// fields and nulls refused), and first refuses a body not declared as
// application/json: a cross-site HTML form (enctype text/plain can carry a
// JSON-looking body) cannot declare it without a CORS preflight, which the
// portal never grants.
func readJSON(r *http.Request, limit int64, v any) error {
	if !httpjson.DeclaredJSON(r) {
		return errJSONRequired
	}
	return httpjson.ReadStrict(r, limit, v, func(string) error { return errNullField })
}

// noStore marks an answer as not to be kept by any cache (the browser's,
// CloudFront's, a proxy's): the portal's answers are a customer's own
// data, and its errors say whether a session is good. The tenant's
// branding overrides it (tenant.go).
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	// A customer's text is in the JSON: never let a browser read it as a page.
	w.Header().Set("X-Content-Type-Options", "nosniff")
}

// cookieTaken reports whether the request's session cookie may sign it
// in: not from another site, and, for a request that changes something,
// only with a JSON content type, which no HTML form can send (an old
// browser sends no Sec-Fetch-Site, and a body-less POST has no body for
// readJSON to refuse).
func cookieTaken(r *http.Request) bool {
	if crossSite(r) {
		return false
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return true
	}
	return httpjson.DeclaredJSON(r)
}

// crossSite reports whether the browser says the request came from
// another site (Fetch Metadata). SameSite=Strict keeps the session cookie
// off requests from other sites, but "site" is the registrable domain:
// a sibling subdomain (www.acme.example beside help.acme.example) is the
// same site and would still send it. Such a request's cookie is ignored.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "cross-site", "same-site":
		return true
	}
	return false
}
