package graphapi

import (
	"cmp"
	"context"
	"fmt"
	"regexp"
	"unicode/utf8"
)

// WhatsApp Cloud API limits (text and media message references).
const (
	WhatsAppMaxText     = 4096 // characters of text.body
	WhatsAppMaxCaption  = 1024 // characters of a media caption
	WhatsAppMaxFilename = 240  // characters; Meta documents no limit, this keeps names sane
)

// WhatsAppMessage is one free-form (non-template) Cloud API message.
type WhatsAppMessage struct {
	WaID string // recipient's WhatsApp id (phone number, digits), or
	// UserID, the recipient's business-scoped user id (BSUID), for a
	// customer who shares no number (sent as "recipient"; Meta prefers the
	// number, and "to" wins when both are sent, so UserID is used only
	// without WaID).
	UserID string
	Text   string // text, or
	Media  *WhatsAppMedia
}

// WhatsAppMedia is a media message Meta fetches from Link.
type WhatsAppMedia struct {
	Type     string // image, document, audio or video
	Link     string // absolute http(s) URL
	Caption  string // image, document and video only
	Filename string // document only
}

// Validate checks m against the Cloud API's rules; errors are EInvalid.
func (m WhatsAppMessage) Validate() error {
	switch {
	case m.WaID == "" && m.UserID == "":
		return invalid("recipient_required", "a WhatsApp message needs a recipient wa_id or business-scoped user id")
	case m.WaID != "" && !isPhone(m.WaID):
		return invalid("recipient_invalid", "WhatsApp recipient %q is not a phone number", m.WaID)
	case m.WaID == "" && !IsBSUID(m.UserID):
		return invalid("recipient_invalid", "WhatsApp recipient %q is not a business-scoped user id", m.UserID)
	}
	switch {
	case m.Text != "" && m.Media != nil:
		return invalid("text_and_attachment", "a WhatsApp message carries text or media, not both")
	case m.Text == "" && m.Media == nil:
		return invalid("content_required", "a WhatsApp message needs text or media")
	case m.Text != "":
		if !utf8.ValidString(m.Text) {
			return invalid("text_not_utf8", "message text is not valid UTF-8")
		}
		if n := utf8.RuneCountInString(m.Text); n > WhatsAppMaxText {
			return invalid("text_too_long", "message text has %d characters; WhatsApp allows %d", n, WhatsAppMaxText)
		}
		return nil
	}
	md := m.Media
	switch md.Type {
	case "image", "video", "audio", "document":
	default:
		return invalid("attachment_type_invalid", "WhatsApp media type %q is not image, document, audio or video", md.Type)
	}
	if err := checkMediaURL(md.Link); err != nil {
		return err
	}
	if md.Caption != "" {
		if md.Type == "audio" {
			return invalid("caption_not_allowed", "WhatsApp audio messages have no caption")
		}
		if n := utf8.RuneCountInString(md.Caption); n > WhatsAppMaxCaption {
			return invalid("caption_too_long", "caption has %d characters; WhatsApp allows %d", n, WhatsAppMaxCaption)
		}
	}
	if md.Filename != "" {
		if md.Type != "document" {
			return invalid("filename_not_allowed", "only WhatsApp documents have a filename")
		}
		if n := utf8.RuneCountInString(md.Filename); n > WhatsAppMaxFilename {
			return invalid("filename_too_long", "filename has %d characters; the limit is %d", n, WhatsAppMaxFilename)
		}
	}
	return nil
}

// isPhone accepts digits with an optional leading '+', the form wa_id takes.
func isPhone(s string) bool {
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Wire shapes of the Cloud API messages request and response.
type (
	waSendRequest struct {
		MessagingProduct string   `json:"messaging_product"`
		RecipientType    string   `json:"recipient_type"`
		To               string   `json:"to,omitempty"`
		Recipient        string   `json:"recipient,omitempty"` // a BSUID, when there is no number
		Type             string   `json:"type"`
		Text             *waText  `json:"text,omitempty"`
		Image            *waMedia `json:"image,omitempty"`
		Document         *waMedia `json:"document,omitempty"`
		Audio            *waMedia `json:"audio,omitempty"`
		Video            *waMedia `json:"video,omitempty"`
	}
	waText struct {
		PreviewURL bool   `json:"preview_url"`
		Body       string `json:"body"`
	}
	waMedia struct {
		Link     string `json:"link"`
		Caption  string `json:"caption,omitempty"`
		Filename string `json:"filename,omitempty"`
	}
	waSendResponse struct {
		MessagingProduct string `json:"messaging_product"`
		Contacts         []struct {
			Input  string `json:"input"`
			WaID   string `json:"wa_id"`
			UserID string `json:"user_id"` // answered instead of wa_id for a send to a BSUID
		} `json:"contacts"`
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
)

// SendWhatsApp sends m from the business phone number phoneNumberID:
// POST {base}/{version}/{phoneNumberID}/messages.
func (c *Client) SendWhatsApp(ctx context.Context, token, phoneNumberID string, m WhatsAppMessage) (SendResult, error) {
	if err := checkToken(token); err != nil {
		return SendResult{}, err
	}
	if err := m.Validate(); err != nil {
		return SendResult{}, err
	}
	u, err := c.endpoint("phone_number_id", phoneNumberID, "messages")
	if err != nil {
		return SendResult{}, err
	}
	req := waSendRequest{MessagingProduct: "whatsapp", RecipientType: "individual", To: m.WaID}
	if m.WaID == "" {
		req.Recipient = m.UserID
	}
	if m.Text != "" {
		// preview_url false: an agent's pasted link should not turn into a
		// card fetched from a third-party site.
		req.Type, req.Text = "text", &waText{Body: m.Text}
	} else {
		md := &waMedia{Link: m.Media.Link, Caption: m.Media.Caption, Filename: m.Media.Filename}
		req.Type = m.Media.Type
		switch m.Media.Type {
		case "image":
			req.Image = md
		case "document":
			req.Document = md
		case "audio":
			req.Audio = md
		case "video":
			req.Video = md
		}
	}
	var resp waSendResponse
	if err := c.callJSON(ctx, "POST", u, token, req, &resp); err != nil {
		return SendResult{}, err
	}
	if len(resp.Messages) == 0 || resp.Messages[0].ID == "" {
		// Not retryable: the message may well have gone out.
		return SendResult{}, fmt.Errorf("graph api: POST %s: accepted, but the answer has no message id", redactURL(u))
	}
	r := SendResult{MessageID: resp.Messages[0].ID}
	if len(resp.Contacts) > 0 {
		r.RecipientID = cmp.Or(resp.Contacts[0].WaID, resp.Contacts[0].UserID)
	}
	return r, nil
}

// bsuid is a business-scoped user id: an ISO 3166 alpha-2 country code, a
// period, optionally "ENT." (a parent BSUID), then up to 128 letters and
// digits (US.13491208655302741918).
var bsuid = regexp.MustCompile(`^[A-Z]{2}\.(ENT\.)?[A-Za-z0-9]{1,128}$`)

// IsBSUID reports whether s is shaped like a business-scoped user id.
func IsBSUID(s string) bool { return bsuid.MatchString(s) }
