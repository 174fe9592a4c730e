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
// GET /unsubscribe?token= (the link) and POST (one-click, RFC 8058, the
// List-Unsubscribe-Post header mail clients use) record that the token's
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
	return map[string]http.HandlerFunc{"GET /unsubscribe": u.serve, "POST /unsubscribe": u.serve}
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

var kindNames = map[helpdesk.CustomerNotifyKind]string{
	helpdesk.CustomerReply: "new answer", helpdesk.CustomerClosed: "request closed",
	helpdesk.CustomerReopened: "request reopened", helpdesk.CustomerWaiting: "waiting on you",
}

func (u *Unsubscribe) serve(w http.ResponseWriter, r *http.Request) {
	// Errors too: whether a token is good is no cache's to keep.
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
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
