package meta

import (
	"encoding/json"
	"net/url"
	"path"
	"sort"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type fbEntry struct {
	ID        string            `json:"id"`
	Time      flexInt           `json:"time"`
	Messaging []json.RawMessage `json:"messaging"`
	Standby   []json.RawMessage `json:"standby"`
	Changes   []json.RawMessage `json:"changes"`
}

type fbID struct {
	ID string `json:"id"`
}

type fbEvent struct {
	Sender    fbID        `json:"sender"`
	Recipient fbID        `json:"recipient"`
	Timestamp flexInt     `json:"timestamp"`
	Message   *fbMessage  `json:"message"`
	Postback  *fbPostback `json:"postback"`
	Delivery  *fbDelivery `json:"delivery"`
}

type fbMessage struct {
	MID         string         `json:"mid"`
	Text        string         `json:"text"`
	IsEcho      bool           `json:"is_echo"`
	Attachments []fbAttachment `json:"attachments"`
	StickerID   flexInt        `json:"sticker_id"`
	QuickReply  *struct {
		Payload string `json:"payload"`
	} `json:"quick_reply"`
}

type fbAttachment struct {
	Type    string `json:"type"`
	Payload *struct {
		URL         string `json:"url"`
		Title       string `json:"title"`
		Coordinates *struct {
			Lat  *float64 `json:"lat"`
			Long *float64 `json:"long"`
		} `json:"coordinates"`
		StickerID flexInt     `json:"sticker_id"`
		Elements  []fbElement `json:"elements"`
		Product   *struct {
			Elements []fbElement `json:"elements"`
		} `json:"product"`
		Generic *struct {
			Elements []fbElement `json:"elements"`
		} `json:"generic"`
	} `json:"payload"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

type fbPostback struct {
	MID     string `json:"mid"`
	Title   string `json:"title"`
	Payload string `json:"payload"`
}

type fbDelivery struct {
	MIDs      []string `json:"mids"`
	Watermark flexInt  `json:"watermark"`
}

// fbEventKeys are the keys of a messaging event that are not its kind.
var fbEventKeys = map[string]bool{"sender": true, "recipient": true, "timestamp": true}

// DecodeMessenger decodes a Messenger (object "page") webhook body.
//
// Messages become InboundMessages (ChannelID "messenger:<page id>"); a
// postback becomes a message with the button title as text and its payload in
// Submission["postback"]; deliveries with mids become "delivered" statuses;
// echoes are counted; every other event is skipped.
func DecodeMessenger(body []byte) (Batch, error) {
	entries, err := decodeRoot(body, "page")
	if err != nil {
		return Batch{}, err
	}
	var b Batch
	for _, raw := range entries {
		var e fbEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			b.skip("entry", ReasonMalformed)
			continue
		}
		for _, ev := range e.Messaging {
			decodeMessengerEvent(&b, e, ev)
		}
		for range e.Standby {
			b.skip("standby", ReasonUnsupportedEvent)
		}
		for range e.Changes {
			b.skip("changes", ReasonUnsupportedEvent)
		}
	}
	return b, nil
}

func decodeMessengerEvent(b *Batch, e fbEntry, raw json.RawMessage) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil || keys == nil {
		b.skip("messaging", ReasonMalformed)
		return
	}
	kind := messengerKind(keys)
	var ev fbEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		b.skip(kind, ReasonMalformed)
		return
	}
	ts := int64(ev.Timestamp)
	if ts <= 0 {
		ts = int64(e.Time)
	}
	at, okTime := unixMilli(ts)
	pageID := ev.Recipient.ID
	if pageID == "" {
		pageID = e.ID
	}
	base := helpdesk.InboundMessage{
		Version:    helpdesk.InboundVersion,
		Channel:    helpdesk.ChannelMessenger,
		ChannelID:  "messenger:" + e.ID,
		ReceivedAt: at,
		Sender:     helpdesk.Sender{PageID: pageID, PSID: ev.Sender.ID},
	}
	switch {
	case ev.Message != nil:
		msg := ev.Message
		if msg.IsEcho {
			b.Echoes++
			return
		}
		if !b.identified(kind, msg.MID, okTime) {
			return
		}
		m := base
		m.ProviderMessageID = msg.MID
		messengerContent(&m, msg, keys["message"])
		b.add(kind, m)
	case ev.Postback != nil:
		pb := ev.Postback
		if !b.identified(kind, pb.MID, okTime) {
			return
		}
		m := base
		m.ProviderMessageID = pb.MID
		m.Text = pb.Title
		if m.Text == "" {
			m.Text = pb.Payload
		}
		if pb.Payload != "" {
			m.Submission = map[string]string{"postback": pb.Payload}
		}
		if m.Text == "" {
			b.skip(kind, ReasonEmpty)
			return
		}
		b.add(kind, m)
	case ev.Delivery != nil:
		d := ev.Delivery
		if messengerWatermark(b, kind, base, int64(d.Watermark), "delivered") {
			return // the watermark covers the mids too
		}
		if len(d.MIDs) == 0 {
			b.skip(kind, ReasonMissingID)
			return
		}
		when, ok := unixMilli(int64(d.Watermark))
		if !ok {
			when, ok = at, okTime
		}
		if !ok {
			b.skip(kind, ReasonMissingTime)
			return
		}
		for _, mid := range d.MIDs {
			if mid == "" {
				b.skip(kind, ReasonMissingID)
				continue
			}
			b.Statuses = append(b.Statuses, Status{ChannelID: base.ChannelID, ProviderMessageID: mid, Status: "delivered", At: when})
		}
	default:
		if !decodeMessengerUpdate(b, kind, base, raw) {
			b.skip(kind, ReasonUnsupportedEvent)
		}
	}
}

// messengerKind names an event by its first key that is not sender,
// recipient or timestamp ("message", "read", "reaction", ...).
func messengerKind(keys map[string]json.RawMessage) string {
	for _, k := range []string{"message", "postback", "delivery"} {
		if v, ok := keys[k]; ok && string(v) != "null" {
			return k
		}
	}
	var others []string
	for k := range keys {
		if !fbEventKeys[k] {
			others = append(others, k)
		}
	}
	if len(others) == 0 {
		return "messaging"
	}
	sort.Strings(others)
	return helpdesk.TruncateBytes(others[0], 64, helpdesk.Ellipsis)
}

// messengerContentTypes maps Messenger attachment types to (wildcard) media types.
var messengerContentTypes = map[string]string{
	"image":   "image/*",
	"video":   "video/*",
	"audio":   "audio/*",
	"file":    "application/octet-stream",
	"sticker": "image/*",
}

// messengerAttachment keeps an attachment that has a URL: the URL, the
// Messenger type as a wildcard media type, and a name from the URL's path.
func messengerAttachment(a fbAttachment) (helpdesk.Attachment, bool) {
	link, title := a.URL, a.Title
	if a.Payload != nil {
		if a.Payload.URL != "" {
			link = a.Payload.URL
		}
		if a.Payload.Title != "" {
			title = a.Payload.Title
		}
	}
	if link == "" {
		return helpdesk.Attachment{}, false
	}
	ct, ok := messengerContentTypes[a.Type]
	if !ok {
		ct = "application/octet-stream"
	}
	name := nameFromURL(link)
	if name == "" {
		name = title
	}
	if name == "" {
		name = a.Type
	}
	if name == "" {
		name = "attachment"
	}
	return helpdesk.Attachment{Name: name, ContentType: ct, URL: link}, true
}

func messengerLocation(a fbAttachment) string {
	if a.Type != "location" || a.Payload == nil || a.Payload.Coordinates == nil {
		return ""
	}
	c := a.Payload.Coordinates
	title := a.Title
	if title == "" {
		title = a.Payload.Title
	}
	return locationText(title, "", "", c.Lat, c.Long)
}

func nameFromURL(link string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	name := path.Base(u.Path)
	switch name {
	case "", ".", "/":
		return ""
	}
	return helpdesk.TruncateBytes(name, 255, helpdesk.Ellipsis)
}

func appendLine(text, line string) string {
	if text == "" {
		return line
	}
	return text + "\n" + line
}

// identified skips (with the reason) an event without a message id or time:
// it could be neither deduplicated nor ordered.
func (b *Batch) identified(kind, mid string, okTime bool) bool {
	switch {
	case mid == "":
		b.skip(kind, ReasonMissingID)
	case !okTime:
		b.skip(kind, ReasonMissingTime)
	default:
		return true
	}
	return false
}
