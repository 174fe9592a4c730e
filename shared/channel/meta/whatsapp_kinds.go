package meta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file renders the WhatsApp message kinds that are not plain content
// (Flow replies, orders, system notices, reactions) as readable text, and
// keeps any kind not rendered yet as "unsupported message (<kind>)" with
// its raw payload, so nothing a customer sends is lost.

type waOrder struct {
	CatalogID    string `json:"catalog_id"`
	Text         string `json:"text"`
	ProductItems []struct {
		ProductRetailerID string      `json:"product_retailer_id"`
		Quantity          json.Number `json:"quantity"`
		ItemPrice         json.Number `json:"item_price"`
		Currency          string      `json:"currency"`
	} `json:"product_items"`
}

// waSystem is a "system" message: Meta's notice that the user changed
// their number ("customer_changed_number", now "user_changed_number") or
// their business-scoped id ("user_changed_user_id"), or that their security
// identity changed ("customer_identity_changed").
type waSystem struct {
	Type     string `json:"type"`
	Body     string `json:"body"`
	WaID     string `json:"wa_id"`     // the new number's WhatsApp id
	NewWaID  string `json:"new_wa_id"` // the same, in older payloads
	UserID   string `json:"user_id"`   // the new BSUID
	Identity string `json:"identity"`
	Customer string `json:"customer"`
}

// waNfmReply is a WhatsApp Flow's answer ("nfm_reply"): response_json is a
// JSON object, as a string, of the Flow's fields.
type waNfmReply struct {
	Name         string `json:"name"`
	Body         string `json:"body"`
	ResponseJSON string `json:"response_json"`
}

// MaxRaw bounds the raw payload kept on a message; a larger one is
// replaced by a note of its size (the message item must stay storable).
const MaxRaw = 32 << 10

// UnsupportedText is the text of a message whose kind is not rendered yet.
func UnsupportedText(kind string) string {
	if kind == "" {
		kind = "unknown"
	}
	return "unsupported message (" + helpdesk.TruncateBytes(kind, 64, helpdesk.Ellipsis) + ")"
}

// unsupportedWhatsApp keeps a message of a kind not rendered yet: Meta's
// own "unsupported" type names the real one in unsupported.type when it can.
func unsupportedWhatsApp(m *helpdesk.InboundMessage, wm waMessage) {
	kind := wm.Type
	if wm.Interactive != nil && wm.Type == "interactive" {
		kind = "interactive:" + wm.Interactive.Type
	}
	if wm.Type == "unsupported" && wm.Unsupported != nil && wm.Unsupported.Type != "" {
		kind = wm.Unsupported.Type
	}
	m.Text = UnsupportedText(kind)
	m.Attachments = nil
	m.Submission = nil
}

// keepsRaw says which messages keep the provider's payload: those whose text
// we composed from structured data, and the unsupported ones.
func keepsRaw(m *helpdesk.InboundMessage, wm waMessage) bool {
	if m.System != nil || strings.HasPrefix(m.Text, "unsupported message (") {
		return true
	}
	switch wm.Type {
	case "order", "reaction":
		return true
	case "interactive":
		return wm.Interactive != nil && wm.Interactive.NfmReply != nil
	}
	return false
}

// rawCopy returns raw compacted, or a JSON note of its size when it is
// larger than MaxRaw.
func rawCopy(raw json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil
	}
	if buf.Len() > MaxRaw {
		return json.RawMessage(`{"omitted_bytes":` + strconv.Itoa(buf.Len()) + `}`)
	}
	return json.RawMessage(buf.Bytes())
}

// orderText renders an order as its items, one a line, and the note:
//
//	🛒 Order (catalog 194836987003835)
//	2 × SKU-1 at 29.99 EUR
//	Note: please gift-wrap
func orderText(o waOrder) string {
	head := "🛒 Order"
	if o.CatalogID != "" {
		head += " (catalog " + o.CatalogID + ")"
	}
	lines := []string{head}
	for _, it := range o.ProductItems {
		qty := string(it.Quantity)
		if qty == "" {
			qty = "1"
		}
		line := qty + " × " + it.ProductRetailerID
		if it.ItemPrice != "" {
			line += " at " + string(it.ItemPrice)
			if it.Currency != "" {
				line += " " + it.Currency
			}
		}
		lines = append(lines, line)
	}
	if t := strings.TrimSpace(o.Text); t != "" {
		lines = append(lines, "Note: "+t)
	}
	return strings.Join(lines, "\n")
}

// systemEvent turns Meta's notice into the contract's, with the sender's
// new identity when there is one.
func systemEvent(s waSystem) *helpdesk.SystemEvent {
	ev := &helpdesk.SystemEvent{Kind: s.Type, Text: strings.TrimSpace(s.Body)}
	if ev.Kind == "" {
		ev.Kind = "system"
	}
	switch s.Type {
	case "customer_changed_number", "user_changed_number":
		ev.NewWhatsAppID = s.WaID
		if ev.NewWhatsAppID == "" {
			ev.NewWhatsAppID = s.NewWaID
		}
		ev.NewWhatsAppUserID = s.UserID
	case "user_changed_user_id":
		ev.NewWhatsAppUserID = s.UserID
	}
	if ev.Text == "" {
		ev.Text = "WhatsApp system notice (" + helpdesk.TruncateBytes(ev.Kind, 64, helpdesk.Ellipsis) + ")"
	}
	return ev
}

func reactionText(emoji string) string {
	if emoji == "" {
		return "Removed a reaction"
	}
	return "Reacted " + emoji
}

// flowReply keeps a Flow's answers as "Field: value" lines (nested objects
// flattened as "a.b", lists joined), in the order the Flow sent them; the
// flow_token is ours, not an answer, and goes to Submission.
func flowReply(m *helpdesk.InboundMessage, r waNfmReply) {
	lines, token, ok := flattenJSON(r.ResponseJSON)
	title := "📝 Form reply"
	if r.Name != "" && r.Name != "flow" {
		title += " (" + helpdesk.TruncateBytes(r.Name, 64, helpdesk.Ellipsis) + ")"
	}
	text := []string{title}
	if ok {
		text = append(text, lines...)
	} else if strings.TrimSpace(r.ResponseJSON) != "" {
		text = append(text, r.ResponseJSON) // not JSON: as sent
	}
	if len(text) == 1 && r.Body != "" {
		text = append(text, r.Body)
	}
	m.Text = strings.Join(text, "\n")
	if token != "" {
		m.Submission = map[string]string{"flow_token": token}
	}
}

// flattenJSON reads a JSON object and returns one "key: value" line per
// scalar, in document order (a map would lose it), and the flow_token.
func flattenJSON(s string) (lines []string, token string, ok bool) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, "", false
	}
	var walk func(prefix string) error
	// value reads one value at prefix; it returns its rendering when it
	// is a scalar or a list of scalars, and adds lines for objects.
	var value func(prefix string) (string, bool, error)
	value = func(prefix string) (string, bool, error) {
		t, err := dec.Token()
		if err != nil {
			return "", false, err
		}
		switch v := t.(type) {
		case json.Delim:
			if v == '{' {
				return "", false, walk(prefix)
			}
			// a list: scalars joined with ", ", objects as prefix[i]
			var parts []string
			for i := 0; dec.More(); i++ {
				p, scalar, err := value(prefix + "[" + strconv.Itoa(i) + "]")
				if err != nil {
					return "", false, err
				}
				if scalar {
					parts = append(parts, p)
				}
			}
			if _, err := dec.Token(); err != nil { // ]
				return "", false, err
			}
			return strings.Join(parts, ", "), true, nil
		case string:
			return v, true, nil
		case json.Number:
			return v.String(), true, nil
		case bool:
			if v {
				return "yes", true, nil
			}
			return "no", true, nil
		case nil:
			return "", true, nil
		}
		return fmt.Sprint(t), true, nil
	}
	walk = func(prefix string) error {
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			full := key
			if prefix != "" {
				full = prefix + "." + key
			}
			v, scalar, err := value(full)
			if err != nil {
				return err
			}
			if !scalar {
				continue
			}
			if full == "flow_token" {
				token = v
				continue
			}
			if v == "" {
				continue
			}
			lines = append(lines, full+": "+v)
		}
		_, err := dec.Token() // }
		return err
	}
	if err := walk(""); err != nil {
		return nil, "", false
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, "", false
	}
	return lines, token, true
}
