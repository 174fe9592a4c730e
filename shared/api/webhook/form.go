// Package webhooks holds the HTTP handlers that channel providers call. Each
// authenticates, validates, turns the request into inbound messages and
// enqueues them; none of them touches tickets.
package webhook

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/channel/form"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Headers a form sender uses.
const (
	HeaderFormSignature = "X-Stackdesk-Signature"  // sha256=<hex HMAC-SHA256 of the raw body>
	HeaderFormToken     = "X-Stackdesk-Form-Token" // the channel token
	HeaderIdempotency   = "Idempotency-Key"        // the sender's submission id
)

// MaxFormBody bounds a form submission (the queued message stays far below
// the SQS limit). Larger bodies get 413.
const MaxFormBody = 64 << 10

// ChannelReader reads channel configuration.
type ChannelReader interface {
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
}

// Enqueuer puts inbound messages on the ingest queue.
type Enqueuer interface {
	EnqueueInbound(ctx context.Context, m *helpdesk.InboundMessage) error
}

// SettingsReader gives the tenant's settings (a settings.Cache in the
// functions): the pipelines a submission's pipeline and status must belong
// to, and the defaults for what the channel leaves unset.
type SettingsReader interface {
	Get(ctx context.Context) (helpdesk.Settings, error)
}

// Forms serves POST /forms/{channelId}.
type Forms struct {
	Channels ChannelReader
	Queue    Enqueuer
	Settings SettingsReader
	Now      func() time.Time
	NewID    func() string
	Log      *slog.Logger
	// Submissions, when set, makes a submission sent again without an
	// idempotency key within DedupeWindow (default 10 minutes) the same
	// submission (form_dedupe.go).
	Submissions  SubmissionClaims
	DedupeWindow time.Duration
}

// Accepted is the 202 body: the id the submission is known by.
type Accepted struct {
	SubmissionID string `json:"submission_id"`
	Status       string `json:"status"`
}

// Register adds the form routes to mux.
func (f *Forms) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /forms/{channelId}", f.submit)
}

func (f *Forms) submit(w http.ResponseWriter, r *http.Request) {
	m, err := f.accept(r)
	if err != nil {
		httpjson.Error(w, r, f.Log, err)
		return
	}
	f.Log.InfoContext(r.Context(), "form submission queued", "channel", m.ChannelID,
		"message_id", m.ProviderMessageID, "hidden_fields", len(m.Submission))
	httpjson.Write(w, http.StatusAccepted, Accepted{SubmissionID: m.ProviderMessageID, Status: "queued"})
}

func (f *Forms) accept(r *http.Request) (*helpdesk.InboundMessage, error) {
	ch, err := f.channel(r.Context(), r.PathValue("channelId"))
	if err != nil {
		return nil, err
	}
	body, err := httpjson.ReadCapped(r, MaxFormBody)
	if err != nil {
		return nil, err
	}
	if err := authenticate(ch.Form, r, body); err != nil {
		return nil, err
	}
	sub, err := form.Decode(r.Header.Get("Content-Type"), body)
	if err != nil {
		return nil, err
	}
	set, err := f.Settings.Get(r.Context())
	if err != nil {
		return nil, &wrapped{helpdesk.Errorf(helpdesk.EUnavailable, "settings_unavailable", "settings could not be read; retry later"), err}
	}
	// A channel that names no pipeline or status gets the tenant's, so the
	// submission is checked against what its ticket will be. Priority and
	// category are the router's to default: the queued message keeps saying
	// only what the channel and the submission said.
	d := set.DefaultsFor(ch.Defaults)
	ch.Defaults.Pipeline, ch.Defaults.Status = d.Pipeline, d.Status
	id := strings.TrimSpace(r.Header.Get(HeaderIdempotency))
	keyed := id != "" || strings.TrimSpace(sub[form.FieldSubmissionID]) != ""
	if id == "" {
		id = f.NewID()
	}
	signed := ch.Form.Auth == helpdesk.FormAuthHMAC
	if _, refused := form.Hidden(sub, ch.Form, signed); len(refused) > 0 {
		f.Log.WarnContext(r.Context(), "hidden fields the channel does not let an unsigned form set, kept on the submission only",
			"channel", ch.ID, "fields", refused)
	}
	m, err := form.Build(sub, form.Input{Channel: ch, Pipelines: set.Pipelines, SubmissionID: id, ReceivedAt: f.Now(), Signed: signed})
	if err != nil {
		return nil, err
	}
	if !keyed {
		f.dedupe(r.Context(), m)
	}
	if err := f.Queue.EnqueueInbound(r.Context(), m); err != nil {
		return nil, err
	}
	return m, nil
}

// channel returns an enabled form channel; anything else is "not found" so a
// prober learns nothing about other channels.
func (f *Forms) channel(ctx context.Context, id string) (helpdesk.Channel, error) {
	notFound := helpdesk.Errorf(helpdesk.ENotFound, "unknown_channel", "no form channel %q", id)
	if id == "" {
		return helpdesk.Channel{}, notFound
	}
	ch, err := f.Channels.GetChannel(ctx, id)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound):
		return ch, notFound
	case err != nil:
		// The caller did nothing wrong: ask it to retry.
		return ch, &wrapped{helpdesk.Errorf(helpdesk.EUnavailable, "channel_unavailable", "channel settings could not be read; retry later"), err}
	case ch.Kind != helpdesk.ChannelForm || ch.Form == nil || ch.Disabled:
		return ch, notFound
	}
	return ch, nil
}

// wrapped keeps the cause for the log while the caller sees only e.
type wrapped struct {
	e     *helpdesk.Error
	cause error
}

func (w *wrapped) Error() string   { return w.e.Error() + ": " + w.cause.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.e, w.cause} }

func authenticate(s *helpdesk.FormSettings, r *http.Request, body []byte) error {
	switch s.Auth {
	case helpdesk.FormAuthNone:
		return nil
	case helpdesk.FormAuthHMAC:
		return meta.VerifyHMAC(s.Secret, HeaderFormSignature, r.Header.Get(HeaderFormSignature), body)
	case helpdesk.FormAuthToken:
		tok := r.Header.Get(HeaderFormToken)
		if tok == "" {
			tok = r.URL.Query().Get("token")
		}
		if tok == "" || s.Secret == "" || subtle.ConstantTimeCompare([]byte(tok), []byte(s.Secret)) != 1 {
			return helpdesk.Errorf(helpdesk.EUnauthorised, "bad_token", "missing or wrong form token")
		}
		return nil
	}
	return helpdesk.Errorf(helpdesk.EUnauthorised, "auth_not_configured", "the channel has no valid authentication mode")
}

// SignSHA256 returns the "sha256=<hex>" signature of body (for senders and tests).
func SignSHA256(secret string, body []byte) string { return meta.Sign(secret, body) }
