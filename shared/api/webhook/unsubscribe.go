package webhook

import (
	"context"
	_ "embed"
	"html/template"
	"log/slog"
	"net/http"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

// OptOuts records customers' opt-outs (the store's).
type OptOuts interface {
	OptOut(ctx context.Context, contactID string, kind helpdesk.CustomerNotifyKind) error
}

// Unsubscribe is the link in a customer notification email (issue 14):
// GET /unsubscribe?token= (the link) only shows a page asking to confirm,
// because mail scanners fetch links to check them and must not unsubscribe
// anyone; its button POSTs. POST (that button, or one-click, RFC 8058, the
// List-Unsubscribe-Post header mail clients use) records that the token's
// contact wants no more notifications of the token's kind. Recording it
// twice changes nothing; a token not signed with Key answers 401.
type Unsubscribe struct {
	Key   []byte // unsubscribe.Key of the stack's reply-token secret
	Store OptOuts
	Log   *slog.Logger
}

// UnsubscribeOpenAPI is the link's contract (a test holds it equal to
// Routes; infra/devstack/portalfuzz fuzzes it).
//
//go:embed unsubscribe.yaml
var UnsubscribeOpenAPI []byte

// Routes are the link's routes, "METHOD /path".
func (u *Unsubscribe) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{"GET /unsubscribe": u.confirm, "POST /unsubscribe": u.serve}
}

// Register adds the routes to mux.
func (u *Unsubscribe) Register(mux *http.ServeMux) {
	for p, f := range u.Routes() {
		mux.HandleFunc(p, f)
	}
}

var unsubscribed = template.Must(template.New("u").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribed</title></head><body><main><h1>You are unsubscribed</h1>
<p>You will no longer receive "{{.}}" notifications about your requests. Replies to your requests still reach you.</p></main></body></html>
`))

// confirmPage's form posts back to this URL with the token (a relative
// "?token=" keeps whatever path prefix the link was served under).
var confirmPage = template.Must(template.New("c").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Unsubscribe</title></head><body><main><h1>Unsubscribe?</h1>
<p>Stop "{{.Kind}}" notifications about your requests? Replies to your requests still reach you.</p>
<form method="post" action="?token={{.Token}}"><button type="submit">Unsubscribe</button></form></main></body></html>
`))

var kindNames = map[helpdesk.CustomerNotifyKind]string{
	helpdesk.CustomerReply: "new answer", helpdesk.CustomerClosed: "request closed",
	helpdesk.CustomerReopened: "request reopened", helpdesk.CustomerWaiting: "waiting on you",
}

// strict sets what every answer carries: errors too, as whether a token is
// good is no cache's to keep, and the token is in the URL.
func strict(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
}

// confirm is the link: it checks the token (a forged one is refused here,
// not after the click) and records nothing.
func (u *Unsubscribe) confirm(w http.ResponseWriter, r *http.Request) {
	strict(w)
	token := r.URL.Query().Get("token")
	_, kind, err := unsubscribe.Verify(u.Key, token)
	if err != nil {
		httpjson.Error(w, r, u.Log, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = confirmPage.Execute(w, struct{ Kind, Token string }{kindNames[kind], token})
}

func (u *Unsubscribe) serve(w http.ResponseWriter, r *http.Request) {
	strict(w)
	contactID, kind, err := unsubscribe.Verify(u.Key, r.URL.Query().Get("token"))
	if err == nil {
		err = u.Store.OptOut(r.Context(), contactID, kind)
	}
	if err != nil {
		httpjson.Error(w, r, u.Log, err)
		return
	}
	u.Log.InfoContext(r.Context(), "customer unsubscribed", "contact_id", contactID, "kind", kind)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = unsubscribed.Execute(w, kindNames[kind])
}
