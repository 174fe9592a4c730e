package webhook

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// EventReceived is the body Meta expects back from a delivery it may forget.
const EventReceived = "EVENT_RECEIVED"

// MetaSecrets gives the Meta app secret (the signature key) and the verify
// token of the subscription handshake. The caller loads them from Secrets
// Manager and caches them.
type MetaSecrets interface {
	MetaSecrets(ctx context.Context) (appSecret, verifyToken string, err error)
}

// MetaQueue enqueues what a delivery decodes to, all at once (Meta sends
// up to 1,000 events in one delivery and retries, then disables, a webhook
// that answers slowly), keeping each sender's messages in order; it
// returns how many were queued.
type MetaQueue interface {
	EnqueueAll(ctx context.Context, msgs []helpdesk.InboundMessage, statuses []jobs.StatusUpdate) (int, error)
}

// Meta serves Meta's webhook for one product: GET (the subscription
// handshake) and POST (signed deliveries) on "/" + Kind, i.e. /messenger or
// /whatsapp.
//
// A POST is answered 200 only once every message and status it carries is
// queued; anything else makes Meta retry the whole delivery, which is safe
// because the queue and the router dedupe by provider message id.
type Meta struct {
	Kind    helpdesk.ChannelKind // helpdesk.ChannelMessenger or helpdesk.ChannelWhatsApp
	Secrets MetaSecrets
	Queue   MetaQueue
	Log     *slog.Logger

	// Channels, when set, is checked for each channel a delivery names
	// (cached ChannelTTL, DefaultChannelTTL if zero): what is for a page or
	// number not served here is not queued, but kept in Unknown (under
	// UnknownChannelPrefix) for redrive, and logged.
	Channels   ChannelReader
	Unknown    RawWriter
	ChannelTTL time.Duration
	Now        func() time.Time
	channels   channelCache
}

// Register adds GET and POST /messenger or /whatsapp to mux. It panics on a
// Kind other than Messenger or WhatsApp (a wiring mistake).
func (h *Meta) Register(mux *http.ServeMux) {
	if h.decoder() == nil {
		panic(fmt.Sprintf("webhooks: Meta handler for channel kind %q", h.Kind))
	}
	p := "/" + string(h.Kind)
	mux.HandleFunc("GET "+p, h.verify)
	mux.HandleFunc("POST "+p, h.receive)
}

func (h *Meta) decoder() func([]byte) (meta.Batch, error) {
	switch h.Kind {
	case helpdesk.ChannelMessenger:
		return meta.DecodeMessenger
	case helpdesk.ChannelWhatsApp:
		return meta.DecodeWhatsApp
	}
	return nil
}

// verify answers the subscription handshake with the bare challenge.
func (h *Meta) verify(w http.ResponseWriter, r *http.Request) {
	_, token, err := h.secrets(r.Context())
	if err != nil {
		httpjson.Error(w, r, h.Log, err)
		return
	}
	challenge, ok := meta.VerifySubscription(r.URL.Query(), token)
	if !ok {
		httpjson.Error(w, r, h.Log, helpdesk.Errorf(helpdesk.EForbidden, "verification_failed",
			"hub.mode must be subscribe, hub.verify_token must match and hub.challenge must be set"))
		return
	}
	h.Log.InfoContext(r.Context(), "meta subscription verified", "channel", h.Kind)
	writePlain(w, http.StatusOK, challenge)
}

// receive authenticates, decodes and enqueues one delivery.
func (h *Meta) receive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	body, err := httpjson.ReadCapped(r, meta.MaxBodySize)
	if err != nil {
		httpjson.Error(w, r, h.Log, err)
		return
	}
	appSecret, _, err := h.secrets(ctx)
	if err != nil {
		httpjson.Error(w, r, h.Log, err)
		return
	}
	if err := meta.VerifySignature(appSecret, r.Header.Get(meta.SignatureHeader), body); err != nil {
		if helpdesk.IsCode(err, helpdesk.EUnauthorised) {
			// Someone other than Meta, or a wrong app secret: worth a warning,
			// never the body.
			h.reject(w, r, err, "bytes", len(body))
			return
		}
		httpjson.Error(w, r, h.Log, err) // secret_missing: our configuration
		return
	}
	res, err := h.Accept(ctx, body, "")
	switch {
	case err != nil && !res.Decoded && helpdesk.IsCode(err, helpdesk.EInvalid):
		// Signed by Meta but not what this endpoint takes: most likely the
		// app subscribed another product to this URL.
		h.reject(w, r, err, "bytes", len(body))
	case err != nil:
		httpjson.Error(w, r, h.Log.With(res.logAttrs(h.Kind)...), err)
	default:
		writePlain(w, http.StatusOK, EventReceived)
	}
}

// enqueue queues the messages and the statuses and returns how many were
// queued; any failure is retryable (Meta redelivers the whole delivery).
func (h *Meta) enqueue(ctx context.Context, msgs []helpdesk.InboundMessage, statuses []jobs.StatusUpdate) (int, error) {
	n, err := h.Queue.EnqueueAll(ctx, msgs, statuses)
	if err != nil {
		return n, retryable(err, fmt.Sprintf("delivery (%d messages, %d statuses)", len(msgs), len(statuses)))
	}
	return n, nil
}

// retryable makes any enqueue failure a 503 so Meta redelivers; an error
// that already says "unavailable" (sqsqueue.ErrUnavailable) keeps its reason.
func retryable(err error, what string) error {
	if helpdesk.IsCode(err, helpdesk.EUnavailable) {
		return err
	}
	return &wrapped{helpdesk.Errorf(helpdesk.EUnavailable, "enqueue_failed", "the %s could not be queued; retry later", what), err}
}

// statusByMeta maps the delivery states Meta reports to ours. Others
// (WhatsApp's "deleted", "warning", ...) are acknowledged and skipped.
var statusByMeta = map[string]helpdesk.MessageStatus{
	"sent":      helpdesk.StatusSent,
	"delivered": helpdesk.StatusDelivered,
	"read":      helpdesk.StatusRead,
	"failed":    helpdesk.StatusFailed,
}

// Skip reasons the handler adds to the decoder's.
const ReasonUnsupportedStatus = "unsupported_status"

func (h *Meta) statusUpdates(in []meta.Status) ([]jobs.StatusUpdate, []meta.Skipped) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]jobs.StatusUpdate, 0, len(in))
	var skipped []meta.Skipped
	for _, s := range in {
		st, ok := statusByMeta[strings.ToLower(s.Status)]
		if !ok {
			skipped = append(skipped, meta.Skipped{Kind: "status:" + helpdesk.TruncateBytes(s.Status, 32, helpdesk.Ellipsis), Reason: ReasonUnsupportedStatus})
			continue
		}
		u := jobs.StatusUpdate{
			Channel:           h.Kind,
			ChannelID:         s.ChannelID,
			ProviderMessageID: s.ProviderMessageID,
			Status:            st,
			At:                s.At,
			ErrorCode:         s.ErrorCode,
			ErrorTitle:        s.ErrorTitle,
			ErrorDetail:       s.ErrorDetail,
			Recipient:         s.Recipient,
		}
		if err := u.Validate(); err != nil {
			skipped = append(skipped, meta.Skipped{Kind: "status", Reason: helpdesk.ErrorReason(err)})
			continue
		}
		out = append(out, u)
	}
	return out, skipped
}

// skippedCounts groups skipped events as "kind/reason" = count attributes,
// in a stable order: skipped_by.read/unsupported_event=2 in text logs,
// {"skipped_by":{"read/unsupported_event":2}} in JSON ones.
func skippedCounts(skipped []meta.Skipped) slog.Attr {
	counts := map[string]int{}
	var keys []string
	for _, s := range skipped {
		k := s.Kind + "/" + s.Reason
		if counts[k] == 0 {
			keys = append(keys, k)
		}
		counts[k]++
	}
	sort.Strings(keys)
	attrs := make([]any, len(keys))
	for i, k := range keys {
		attrs[i] = slog.Int(k, counts[k])
	}
	return slog.Group("skipped_by", attrs...)
}

func (h *Meta) secrets(ctx context.Context) (appSecret, verifyToken string, err error) {
	appSecret, verifyToken, err = h.Secrets.MetaSecrets(ctx)
	if err != nil {
		// Meta did nothing wrong: ask it to retry.
		return "", "", &wrapped{helpdesk.Errorf(helpdesk.EUnavailable, "secrets_unavailable", "webhook secrets could not be read; retry later"), err}
	}
	return appSecret, verifyToken, nil
}

// reject answers a 4xx that deserves a warning (a bad signature, or a signed
// body of the wrong shape) and logs it once, without the body.
func (h *Meta) reject(w http.ResponseWriter, r *http.Request, err error, attrs ...any) {
	code := helpdesk.ErrorCode(err)
	status := httpjson.Status(code)
	args := append([]any{"method", r.Method, "path", r.URL.Path, "channel", h.Kind,
		"status", status, "code", code, "reason", helpdesk.ErrorReason(err), "error", err}, attrs...)
	h.Log.WarnContext(r.Context(), "meta delivery rejected", args...)
	httpjson.Write(w, status, httpjson.ErrorBody{Error: httpjson.ErrorDetail{
		Code: code, Reason: helpdesk.ErrorReason(err), Message: helpdesk.ErrorMessage(err)}})
}

func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}
