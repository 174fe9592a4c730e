// Package csatpage is the satisfaction survey's public page: the link in a
// closing notification opens `GET /csat?token=`, a plain form, and the form
// posts to `POST /csat`. The token is the only credential (signed, naming
// tenant, ticket and contact, expiring 28 days after the close); the rating
// itself is app/csat's, which the portal calls too.
package csatpage

import (
	"context"
	_ "embed"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Rater is what the page needs of the survey (*appcsat.Service is one).
type Rater interface {
	Open(ctx context.Context, token string) (appcsat.Survey, error)
	RateWithToken(ctx context.Context, token string, score int, comment string) (helpdesk.Rating, error)
}

// Handler serves the survey page.
type Handler struct {
	Survey Rater
	Log    *slog.Logger
}

// maxForm bounds the posted form: the token, a score and a comment of at
// most csat.MaxComment characters (4 bytes each at worst, URL-encoded).
const maxForm = 64 << 10

// OpenAPI is the page's contract (a test holds it equal to Routes, and
// infra/devstack/portalfuzz fuzzes the page from it).
//
//go:embed openapi.yaml
var OpenAPI []byte

// Routes are the page's routes, "METHOD /path".
func (h *Handler) Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{"GET /csat": h.show, "POST /csat": h.rate}
}

// Register adds the page's two routes to mux.
func (h *Handler) Register(mux *http.ServeMux) {
	for p, f := range h.Routes() {
		mux.HandleFunc(p, f)
	}
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	sv, err := h.Survey.Open(r.Context(), token)
	if err != nil {
		h.fail(w, err)
		return
	}
	render(w, http.StatusOK, page{Token: token, Subject: sv.Subject, Rated: sv.Rated})
}

func (h *Handler) rate(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		h.fail(w, helpdesk.Errorf(helpdesk.EInvalid, "invalid_form", "the form could not be read"))
		return
	}
	score, err := strconv.Atoi(r.PostForm.Get("score"))
	if err != nil {
		h.fail(w, helpdesk.Errorf(helpdesk.EInvalid, "invalid_score", "choose a score from 1 to 5"))
		return
	}
	rating, err := h.Survey.RateWithToken(r.Context(), r.PostForm.Get("token"), score, r.PostForm.Get("comment"))
	if err != nil {
		h.fail(w, err)
		return
	}
	render(w, http.StatusCreated, page{Rated: &rating, Thanks: true})
}

// fail answers err's status with its safe message; our own faults are
// logged, never shown.
func (h *Handler) fail(w http.ResponseWriter, err error) {
	status := httpjson.Status(helpdesk.ErrorCode(err))
	if status >= 500 && h.Log != nil {
		h.Log.Error("csat page", "err", err)
	}
	render(w, status, page{Error: helpdesk.ErrorMessage(err), Reason: helpdesk.ErrorReason(err)})
}

type page struct {
	Token, Subject string
	Rated          *helpdesk.Rating
	Thanks         bool
	Error, Reason  string
}

func render(w http.ResponseWriter, status int, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The token is in the URL: never send it on as a referrer.
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = tmpl.Execute(w, p) // the status is sent; a broken connection is all that can fail
}

var tmpl = template.Must(template.New("csat").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>How did we do?</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem}fieldset{border:0;padding:0}label{margin-right:1rem}textarea{width:100%}</style>
</head><body><main>
{{if .Error}}<h1>Sorry</h1><p role="alert" data-reason="{{.Reason}}">{{.Error}}</p>
{{else if .Rated}}<h1>Thank you</h1><p>{{if .Thanks}}Your rating was recorded: {{else}}You rated this conversation {{end}}<strong data-score="{{.Rated.Score}}">{{.Rated.Score}} of 5</strong>.</p>
{{else}}<h1>How did we do?</h1><p>About: {{.Subject}}</p>
<form method="post" action="/csat">
<input type="hidden" name="token" value="{{.Token}}">
<fieldset><legend>Your rating (1 = poor, 5 = great)</legend>
{{range $i := .Scores}}<label><input type="radio" name="score" value="{{$i}}" required> {{$i}}</label>{{end}}
</fieldset>
<p><label for="comment">Anything to add? (optional)</label><br><textarea id="comment" name="comment" rows="4" maxlength="2000"></textarea></p>
<button type="submit">Send</button>
</form>{{end}}
</main></body></html>
`))

// Scores are the form's choices.
func (page) Scores() []int { return []int{1, 2, 3, 4, 5} }
