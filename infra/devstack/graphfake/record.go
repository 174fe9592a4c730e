package graphfake

import (
	"bytes"
	"encoding/json"
	"net/url"
)

// Request is one request as the fake received it.
type Request struct {
	Kind        string // KindMessenger, KindWhatsApp, KindMedia, KindMediaDownload; "" if unrouted
	Method      string
	Path        string
	Query       url.Values
	Token       string // the bearer token, "" if none
	ContentType string
	Body        []byte
	// AccountID is the page or phone number id of a send, the media id of a
	// media request.
	AccountID string
	// Status is what the fake answered (0 while a Script looks at it).
	Status int
}

// Decode decodes the JSON body into v.
func (r Request) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// JSON returns the body decoded as a generic JSON object (nil if it is not one).
func (r Request) JSON() map[string]any {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if dec.Decode(&m) != nil {
		return nil
	}
	return m
}

func (r Request) clone() Request {
	r.Body = append([]byte(nil), r.Body...)
	q := url.Values{}
	for k, v := range r.Query {
		q[k] = append([]string(nil), v...)
	}
	r.Query = q
	return r
}

// Sent is a message the fake accepted.
type Sent struct {
	Kind      string // KindMessenger or KindWhatsApp
	AccountID string // page id or phone number id
	Token     string
	Recipient string // PSID (Messenger) or "to" (WhatsApp)
	// Messenger only.
	MessagingType string
	Tag           string
	QuickReplies  []QuickReply
	// WhatsApp only.
	RecipientType string
	PreviewURL    bool
	// Text is the message text; Attachment the media, for media messages.
	Text       string
	Attachment *Attachment
	// MessageID is the id the fake answered: "m_N" or "wamid.N".
	MessageID string
}

// QuickReply is a Messenger quick reply as sent.
type QuickReply struct {
	ContentType string
	Title       string
	Payload     string
}

// Attachment is a Messenger attachment or a WhatsApp media object as sent.
type Attachment struct {
	Type       string // Messenger: image, video, audio, file; WhatsApp: image, document, audio, video
	URL        string // Messenger payload.url or WhatsApp link
	MediaID    string // WhatsApp id (instead of link)
	IsReusable bool   // Messenger
	Caption    string // WhatsApp
	Filename   string // WhatsApp document
}

func (s Sent) clone() Sent {
	s.QuickReplies = append([]QuickReply(nil), s.QuickReplies...)
	if s.Attachment != nil {
		a := *s.Attachment
		s.Attachment = &a
	}
	return s
}
