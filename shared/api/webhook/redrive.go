package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The redrive of what the Meta webhooks set aside (`make redrive`): each
// delivery kept under unknown-channel/<UTC date>/ goes through Accept, the
// path a new delivery takes after its signature check, now that its page
// or number may be served; one that is then wholly taken is moved under
// unknown-channel/redriven/, so the next run does not submit it again. A
// repeat is harmless anyway: the FIFO queue dedupes on the provider
// message id for 5 minutes, and the router's dedupe records apply each
// message once, whenever it comes.

// RedrivenPrefix is where a redriven delivery is moved:
// unknown-channel/redriven/<UTC date it came>/<sha256>.json.
const RedrivenPrefix = UnknownChannelPrefix + "redriven/"

// KeptDeliveries is where the webhooks keep deliveries (s3files.Folder on
// the mail bucket).
type KeptDeliveries interface {
	Keys(ctx context.Context, prefix string) ([]string, error)
	Read(ctx context.Context, key string, limit int64) ([]byte, error)
	Move(ctx context.Context, from, to string) error
}

// Redrive re-submits kept deliveries through the Meta webhooks' Accept.
type Redrive struct {
	Kept KeptDeliveries
	// Webhooks take the deliveries of their product (Messenger, WhatsApp),
	// told apart by the body's "object".
	Webhooks []*Meta
	// DryRun lists what would be done: channels are read, nothing is
	// queued or moved.
	DryRun bool
	Log    *slog.Logger
}

// Redrive outcomes.
const (
	Redriven      = "redriven"        // wholly taken, queued and moved under RedrivenPrefix
	WouldRedrive  = "would redrive"   // dry run: every channel it names is served now
	Partly        = "partly redriven" // its served part queued; left in place for the rest
	WouldPartly   = "would partly redrive"
	Waiting       = "waiting"    // no channel it names is served yet: nothing queued, left in place
	Unreadable    = "unreadable" // not a Messenger or WhatsApp delivery: left in place
	RedriveFailed = "failed"     // a channel read, the queue or the move failed: left in place, run again
)

// KeptDelivery is one kept delivery and what the redrive did with it.
type KeptDelivery struct {
	Key      string
	Day      string // the UTC date it came
	Size     int
	Product  helpdesk.ChannelKind
	Channels []string // every channel it names
	Messages int      // messages it carries, for any channel
	Statuses int      // delivery reports it carries, for any channel
	Unserved []string // channels still not served (or disabled, for messages)
	Queued   int      // messages and reports queued by this run
	Outcome  string
	Err      error
}

// Run redrives the deliveries kept on day ("2006-01-02"), or on every day
// when day is "", oldest first. A delivery that fails is reported and
// left in place; the others go on. The error is for the listing only.
func (r *Redrive) Run(ctx context.Context, day string) ([]KeptDelivery, error) {
	prefix := UnknownChannelPrefix
	if day != "" {
		if _, err := time.Parse(time.DateOnly, day); err != nil {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "invalid_day", "day %q is not a date (YYYY-MM-DD)", day)
		}
		prefix += day + "/"
	}
	keys, err := r.Kept.Keys(ctx, prefix)
	if err != nil {
		return nil, err
	}
	var out []KeptDelivery
	for _, key := range keys {
		d, ok := keptDay(key)
		if !ok {
			continue // redriven already, or not the webhooks'
		}
		k := r.redrive(ctx, KeptDelivery{Key: key, Day: d})
		log := r.Log.With("key", k.Key, "product", k.Product, "outcome", k.Outcome, "queued", k.Queued, "unserved", k.Unserved)
		if k.Err != nil {
			log.WarnContext(ctx, "redrive of a kept meta delivery failed", "error", k.Err)
		} else {
			log.InfoContext(ctx, "kept meta delivery redriven")
		}
		out = append(out, k)
	}
	return out, nil
}

// keptDay reads the date of a kept delivery's key,
// unknown-channel/<date>/<name>.json.
func keptDay(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, UnknownChannelPrefix)
	day, name, _ := strings.Cut(rest, "/")
	if !ok || strings.Contains(name, "/") || !strings.HasSuffix(name, ".json") {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return "", false
	}
	return day, true
}

func (r *Redrive) redrive(ctx context.Context, k KeptDelivery) KeptDelivery {
	fail := func(outcome string, err error) KeptDelivery {
		k.Outcome, k.Err = outcome, err
		return k
	}
	body, err := r.Kept.Read(ctx, k.Key, meta.MaxBodySize)
	if err != nil {
		return fail(RedriveFailed, err)
	}
	k.Size = len(body)
	h := r.webhookFor(body)
	if h == nil {
		return fail(Unreadable, errors.New("not a delivery of a Meta product served here (its object is neither page nor whatsapp_business_account)"))
	}
	k.Product = h.Kind
	var s Sorted
	var queued int
	if r.DryRun {
		s, err = h.Sort(ctx, body)
	} else {
		var a MetaAccepted
		a, err = h.Accept(ctx, body, k.Key)
		s, queued = a.Sorted, a.Enqueued
	}
	if !s.Decoded {
		return fail(Unreadable, err)
	}
	k.describe(s)
	k.Queued = queued
	if err != nil {
		return fail(RedriveFailed, err)
	}
	served := len(s.Messages) + len(s.Statuses)
	switch {
	case served == 0:
		k.Outcome = Waiting
	case len(k.Unserved) > 0 && r.DryRun:
		k.Outcome = WouldPartly
	case len(k.Unserved) > 0:
		k.Outcome = Partly
	case r.DryRun:
		k.Outcome = WouldRedrive
	default:
		to := RedrivenPrefix + k.Day + "/" + path.Base(k.Key)
		if err := r.Kept.Move(ctx, k.Key, to); err != nil {
			return fail(RedriveFailed, fmt.Errorf("queued, but not marked redriven (the next run queues it again, deduped): %w", err))
		}
		k.Outcome = Redriven
	}
	return k
}

// describe fills in what a sorted delivery names and carries.
func (k *KeptDelivery) describe(s Sorted) {
	k.Unserved = s.Aside.ChannelIDs
	k.Messages = len(s.Messages) + s.Aside.Messages
	k.Statuses = len(s.Statuses) + s.Aside.Statuses
	chans := slices.Clone(s.Aside.ChannelIDs)
	for _, m := range s.Messages {
		chans = append(chans, m.ChannelID)
	}
	for _, st := range s.Statuses {
		chans = append(chans, st.ChannelID)
	}
	slices.Sort(chans)
	k.Channels = slices.Compact(chans)
}

// webhookFor picks the webhook of the delivery's product by its "object".
func (r *Redrive) webhookFor(body []byte) *Meta {
	var root struct {
		Object string `json:"object"`
	}
	if json.Unmarshal(body, &root) != nil {
		return nil
	}
	want := map[string]helpdesk.ChannelKind{"page": helpdesk.ChannelMessenger, "whatsapp_business_account": helpdesk.ChannelWhatsApp}[root.Object]
	for _, h := range r.Webhooks {
		if want != "" && h.Kind == want {
			return h
		}
	}
	return nil
}
