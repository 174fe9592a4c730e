package graphapi

import (
	"context"
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Messenger Send API limits (Send API reference, quick replies reference).
const (
	MessengerMaxText              = 2000 // characters of message.text
	MessengerMaxQuickReplies      = 13
	MessengerMaxQuickReplyTitle   = 20   // characters
	MessengerMaxQuickReplyPayload = 1000 // characters
)

// Messenger messaging types and the tag the help desk uses.
const (
	MessagingTypeResponse   = "RESPONSE"
	MessagingTypeUpdate     = "UPDATE"
	MessagingTypeMessageTag = "MESSAGE_TAG"
	TagHumanAgent           = "HUMAN_AGENT"
)

// messengerTags are the tags the Send API still documents.
var messengerTags = map[string]bool{
	"HUMAN_AGENT": true, "ACCOUNT_UPDATE": true, "CONFIRMED_EVENT_UPDATE": true, "POST_PURCHASE_UPDATE": true,
}

// messengerAttachmentTypes are the attachment types sendable by URL.
var messengerAttachmentTypes = map[string]bool{"image": true, "video": true, "audio": true, "file": true}

// MessengerMessage is one Send API message to a person on Messenger.
type MessengerMessage struct {
	PSID          string // page-scoped id of the recipient
	MessagingType string // RESPONSE, UPDATE or MESSAGE_TAG (see ticket.MessengerReplyMode)
	Tag           string // only with MESSAGE_TAG, e.g. HUMAN_AGENT
	Text          string // text, or
	Attachment    *Attachment
	QuickReplies  []QuickReply
}

// QuickReply is a text quick reply button.
type QuickReply struct {
	Title   string
	Payload string
}

// Attachment is a file Meta fetches from URL: Type is image, video, audio or file.
type Attachment struct {
	Type string
	URL  string
}

// SendResult is what Meta answers to an accepted message.
type SendResult struct {
	// MessageID is Meta's id for the message ("m_..." on Messenger,
	// "wamid...." on WhatsApp); delivery webhooks refer to it.
	MessageID string
	// RecipientID is the recipient as Meta resolved it (recipient_id on
	// Messenger, contacts[0].wa_id on WhatsApp); may be empty.
	RecipientID string
}

// Validate checks m against the Send API's rules, so a message Meta would
// refuse costs no request. Errors are EInvalid helpdesk errors.
func (m MessengerMessage) Validate() error {
	if m.PSID == "" {
		return invalid("recipient_required", "a Messenger message needs a recipient PSID")
	}
	switch m.MessagingType {
	case MessagingTypeResponse, MessagingTypeUpdate:
		if m.Tag != "" {
			return invalid("tag_without_message_tag", "tag %q is only allowed with messaging_type MESSAGE_TAG, not %s", m.Tag, m.MessagingType)
		}
	case MessagingTypeMessageTag:
		if m.Tag == "" {
			return invalid("tag_required", "messaging_type MESSAGE_TAG needs a tag")
		}
		if !messengerTags[m.Tag] {
			return invalid("tag_invalid", "unknown Messenger message tag %q", m.Tag)
		}
	case "":
		return invalid("messaging_type_required", "a Messenger message needs a messaging_type")
	default:
		return invalid("messaging_type_invalid", "unknown messaging_type %q (want RESPONSE, UPDATE or MESSAGE_TAG)", m.MessagingType)
	}
	switch {
	case m.Text != "" && m.Attachment != nil:
		return invalid("text_and_attachment", "a Messenger message carries text or an attachment, not both")
	case m.Text == "" && m.Attachment == nil:
		return invalid("content_required", "a Messenger message needs text or an attachment")
	case m.Text != "":
		if !utf8.ValidString(m.Text) {
			return invalid("text_not_utf8", "message text is not valid UTF-8")
		}
		if n := utf8.RuneCountInString(m.Text); n > MessengerMaxText {
			return invalid("text_too_long", "message text has %d characters; Messenger allows %d", n, MessengerMaxText)
		}
	default:
		if !messengerAttachmentTypes[m.Attachment.Type] {
			return invalid("attachment_type_invalid", "attachment type %q is not image, video, audio or file", m.Attachment.Type)
		}
		if err := checkMediaURL(m.Attachment.URL); err != nil {
			return err
		}
	}
	if len(m.QuickReplies) > MessengerMaxQuickReplies {
		return invalid("too_many_quick_replies", "%d quick replies; Messenger allows %d", len(m.QuickReplies), MessengerMaxQuickReplies)
	}
	for i, q := range m.QuickReplies {
		if q.Title == "" || q.Payload == "" {
			return invalid("quick_reply_invalid", "quick reply %d needs a title and a payload", i+1)
		}
		if n := utf8.RuneCountInString(q.Title); n > MessengerMaxQuickReplyTitle {
			return invalid("quick_reply_title_too_long", "quick reply %d title has %d characters; Messenger allows %d", i+1, n, MessengerMaxQuickReplyTitle)
		}
		if n := utf8.RuneCountInString(q.Payload); n > MessengerMaxQuickReplyPayload {
			return invalid("quick_reply_payload_too_long", "quick reply %d payload has %d characters; Messenger allows %d", i+1, n, MessengerMaxQuickReplyPayload)
		}
	}
	return nil
}

// Wire shapes of the Send API request and response.
type (
	fbSendRequest struct {
		Recipient     fbRecipient `json:"recipient"`
		MessagingType string      `json:"messaging_type"`
		Tag           string      `json:"tag,omitempty"`
		Message       fbMessage   `json:"message"`
	}
	fbRecipient struct {
		ID string `json:"id"`
	}
	fbMessage struct {
		Text         string         `json:"text,omitempty"`
		Attachment   *fbAttachment  `json:"attachment,omitempty"`
		QuickReplies []fbQuickReply `json:"quick_replies,omitempty"`
	}
	fbAttachment struct {
		Type    string           `json:"type"`
		Payload fbAttachmentLink `json:"payload"`
	}
	fbAttachmentLink struct {
		URL        string `json:"url"`
		IsReusable bool   `json:"is_reusable"`
	}
	fbQuickReply struct {
		ContentType string `json:"content_type"`
		Title       string `json:"title"`
		Payload     string `json:"payload"`
	}
	fbSendResponse struct {
		RecipientID string `json:"recipient_id"`
		MessageID   string `json:"message_id"`
	}
)

// SendMessenger sends m from the page pageID with the page's access token:
// POST {base}/{version}/{pageID}/messages.
func (c *Client) SendMessenger(ctx context.Context, token, pageID string, m MessengerMessage) (SendResult, error) {
	if err := checkToken(token); err != nil {
		return SendResult{}, err
	}
	if err := m.Validate(); err != nil {
		return SendResult{}, err
	}
	u, err := c.endpoint("page_id", pageID, "messages")
	if err != nil {
		return SendResult{}, err
	}
	req := fbSendRequest{
		Recipient:     fbRecipient{ID: m.PSID},
		MessagingType: m.MessagingType,
		Tag:           m.Tag,
		Message:       fbMessage{Text: m.Text},
	}
	if a := m.Attachment; a != nil {
		// is_reusable false: each reply's file is its own; saving it on
		// Meta's side would only keep customer files longer.
		req.Message.Attachment = &fbAttachment{Type: a.Type, Payload: fbAttachmentLink{URL: a.URL}}
	}
	for _, q := range m.QuickReplies {
		req.Message.QuickReplies = append(req.Message.QuickReplies, fbQuickReply{ContentType: "text", Title: q.Title, Payload: q.Payload})
	}
	var resp fbSendResponse
	if err := c.callJSON(ctx, "POST", u, token, req, &resp); err != nil {
		return SendResult{}, err
	}
	if resp.MessageID == "" {
		// Not retryable: the message may well have gone out.
		return SendResult{}, fmt.Errorf("graph api: POST %s: accepted, but the answer has no message_id", redactURL(u))
	}
	return SendResult{MessageID: resp.MessageID, RecipientID: resp.RecipientID}, nil
}

func invalid(reason, format string, args ...any) error {
	return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
}

// checkMediaURL requires an absolute http(s) URL: Meta fetches it itself.
func checkMediaURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return invalid("attachment_url_invalid", "attachment URL must be an absolute http(s) URL")
	}
	return nil
}
