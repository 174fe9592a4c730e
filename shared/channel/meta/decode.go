package meta

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Batch is what one webhook delivery decodes to. Meta batches several entries
// (and several events per entry) into one POST.
type Batch struct {
	// Messages are the customer messages, in payload order; each passes
	// helpdesk.InboundMessage.Validate.
	Messages []helpdesk.InboundMessage
	// Statuses are delivery reports for our outbound messages.
	Statuses []Status
	// Echoes counts Messenger echoes of messages the page sent (skipped).
	Echoes int
	// Skipped lists events that were acknowledged but not used: unknown event
	// kinds, fields and message types, and malformed events. The caller logs
	// them; they never fail the delivery (Meta would retry it forever).
	Skipped []Skipped
}

// Status is a delivery report for an outbound message.
type Status struct {
	ChannelID         string // "messenger:<page id>" or "whatsapp:<phone number id>"
	ProviderMessageID string
	Status            string // "sent", "delivered", "read", "failed", ...
	At                time.Time
	ErrorCode         int
	ErrorTitle        string
	ErrorDetail       string
	// Recipient, set instead of ProviderMessageID, makes this a watermark
	// (Messenger receipts): every message we sent this customer (PSID) on
	// the page before At has reached Status.
	Recipient string
}

// Skipped is an event that was acknowledged but not turned into a message or status.
type Skipped struct {
	Kind   string // e.g. "read", "reaction", "change:account_update", "message:sticker"
	Reason string // e.g. "unsupported_event", "malformed", "missing_id"
}

// Skip reasons.
const (
	ReasonUnsupportedEvent = "unsupported_event"
	ReasonUnsupportedField = "unsupported_field"
	ReasonUnsupportedType  = "unsupported_type"
	ReasonMalformed        = "malformed"
	ReasonMissingID        = "missing_id"
	ReasonMissingTime      = "missing_timestamp"
	ReasonEmpty            = "empty"
)

func (b *Batch) skip(kind, reason string) {
	b.Skipped = append(b.Skipped, Skipped{Kind: kind, Reason: reason})
}

// add appends m if it is valid, and records why not otherwise.
func (b *Batch) add(kind string, m helpdesk.InboundMessage) {
	if err := m.Validate(); err != nil {
		b.skip(kind, helpdesk.ErrorReason(err))
		return
	}
	b.Messages = append(b.Messages, m)
}

type root struct {
	Object string            `json:"object"`
	Entry  []json.RawMessage `json:"entry"`
}

// decodeRoot checks size, that the body is a JSON object with the wanted
// "object" field, and returns its entries.
func decodeRoot(body []byte, object string) ([]json.RawMessage, error) {
	if len(body) > MaxBodySize {
		return nil, helpdesk.Errorf(helpdesk.ETooLarge, "too_large", "webhook body is over %d bytes", MaxBodySize)
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "bad_payload", "webhook body is not a JSON object")
	}
	var r root
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "bad_payload", "webhook body is not valid JSON of the expected shape")
	}
	if r.Object != object {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "bad_payload", "webhook object is %q, want %q", helpdesk.TruncateBytes(r.Object, 64, helpdesk.Ellipsis), object)
	}
	return r.Entry, nil
}

// flexInt is an integer Meta sends either as a JSON number or as a string
// (WhatsApp timestamps are strings of seconds).
type flexInt int64

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" {
		*f = 0
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*f = flexInt(n)
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || v < math.MinInt64 || v >= math.MaxInt64 {
		return &json.UnsupportedValueError{Str: helpdesk.TruncateBytes(s, 32, helpdesk.Ellipsis)}
	}
	*f = flexInt(int64(v))
	return nil
}

// maxUnix is 9999-12-31T23:59:59Z: later times cannot be marshalled to JSON.
const maxUnix = 253402300799

func unixMilli(ms int64) (time.Time, bool) {
	if ms <= 0 || ms/1000 > maxUnix {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

func unixSec(s int64) (time.Time, bool) {
	if s <= 0 || s > maxUnix {
		return time.Time{}, false
	}
	return time.Unix(s, 0).UTC(), true
}

func formatCoord(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// locationText renders a shared location as "📍 name, address (lat, long)".
func locationText(name, address, link string, lat, long *float64) string {
	var parts []string
	for _, p := range []string{name, address} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	text := joinComma(parts)
	if lat != nil && long != nil {
		coords := "(" + formatCoord(*lat) + ", " + formatCoord(*long) + ")"
		if text == "" {
			text = coords
		} else {
			text += " " + coords
		}
	}
	if link != "" {
		if text == "" {
			text = link
		} else {
			text += " " + link
		}
	}
	if text == "" {
		return ""
	}
	return "📍 " + text
}

func joinComma(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}
