package graphfake

import (
	"fmt"
	"net/url"
	"unicode/utf8"
)

// The Send API request, as far as the fake models it: recipient by PSID,
// text or a URL attachment, text quick replies. Pointers tell absent from empty.
type fbSendBody struct {
	Recipient *struct {
		ID *string `json:"id"`
	} `json:"recipient"`
	MessagingType *string        `json:"messaging_type"`
	Tag           *string        `json:"tag"`
	Message       *fbMessageBody `json:"message"`
}

type fbMessageBody struct {
	Text       *string `json:"text"`
	Attachment *struct {
		Type    *string `json:"type"`
		Payload *struct {
			URL        *string `json:"url"`
			IsReusable *bool   `json:"is_reusable"`
		} `json:"payload"`
	} `json:"attachment"`
	QuickReplies []struct {
		ContentType *string `json:"content_type"`
		Title       *string `json:"title"`
		Payload     *string `json:"payload"`
		ImageURL    *string `json:"image_url"`
	} `json:"quick_replies"`
}

var (
	fbMessagingTypes  = map[string]bool{"RESPONSE": true, "UPDATE": true, "MESSAGE_TAG": true}
	fbTags            = map[string]bool{"HUMAN_AGENT": true, "ACCOUNT_UPDATE": true, "CONFIRMED_EVENT_UPDATE": true, "POST_PURCHASE_UPDATE": true}
	fbAttachmentTypes = map[string]bool{"image": true, "video": true, "audio": true, "file": true}
	fbQuickReplyTypes = map[string]bool{"text": true, "user_phone_number": true, "user_email": true}
)

// Send API limits and message wording.
const (
	fbMaxText          = 2000
	fbMaxQuickReplies  = 13
	fbMaxQuickTitle    = 20
	fbMaxQuickPayload  = 1000
	errNotText         = "must be a non-empty UTF-8 encoded string"
	fbRequiredParamFmt = "The parameter %s is required"
)

func (f *Fake) checkMessenger(req Request, pageID string) (*Response, func() *Response) {
	var b fbSendBody
	if err := decodeStrict(req.Body, &b); err != nil {
		return invalidParam("Invalid JSON body: %v", err), nil
	}
	if b.Recipient == nil || b.Recipient.ID == nil || *b.Recipient.ID == "" {
		return invalidParam(fbRequiredParamFmt, "recipient[id]"), nil
	}
	if b.MessagingType == nil {
		return invalidParam(fbRequiredParamFmt, "messaging_type"), nil
	}
	mt := *b.MessagingType
	if !fbMessagingTypes[mt] {
		return invalidParam("Param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG} - got %q", mt), nil
	}
	switch {
	case mt == "MESSAGE_TAG" && (b.Tag == nil || *b.Tag == ""):
		return invalidParam(fbRequiredParamFmt+" with messaging_type MESSAGE_TAG", "tag"), nil
	case mt != "MESSAGE_TAG" && b.Tag != nil:
		return invalidParam("Param tag is only allowed with messaging_type MESSAGE_TAG (got %s)", mt), nil
	case b.Tag != nil && !fbTags[*b.Tag]:
		return invalidParam("Param tag must be one of {HUMAN_AGENT, ACCOUNT_UPDATE, CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE} - got %q", *b.Tag), nil
	}
	m := b.Message
	if m == nil {
		return invalidParam(fbRequiredParamFmt, "message"), nil
	}
	s := Sent{Kind: KindMessenger, AccountID: pageID, Token: req.Token, Recipient: *b.Recipient.ID, MessagingType: mt}
	if b.Tag != nil {
		s.Tag = *b.Tag
	}
	switch {
	case m.Text != nil && m.Attachment != nil:
		return invalidParam("Param message must contain text or attachment, not both"), nil
	case m.Text == nil && m.Attachment == nil:
		return invalidParam("Param message must contain text or attachment"), nil
	case m.Text != nil:
		if *m.Text == "" {
			return invalidParam("Param message[text] %s", errNotText), nil
		}
		if utf8.RuneCountInString(*m.Text) > fbMaxText {
			return invalidParam("Length of param message[text] must be less than or equal to %d", fbMaxText), nil
		}
		s.Text = *m.Text
	default:
		a := m.Attachment
		if a.Type == nil || !fbAttachmentTypes[*a.Type] {
			return invalidParam("Param message[attachment][type] must be one of {image, video, audio, file} (graphfake does not model templates)"), nil
		}
		if a.Payload == nil || a.Payload.URL == nil || !absoluteURL(*a.Payload.URL) {
			return invalidParam("Param message[attachment][payload][url] must be a valid URL"), nil
		}
		s.Attachment = &Attachment{Type: *a.Type, URL: *a.Payload.URL}
		if a.Payload.IsReusable != nil {
			s.Attachment.IsReusable = *a.Payload.IsReusable
		}
	}
	if len(m.QuickReplies) > fbMaxQuickReplies {
		return invalidParam("Param message[quick_replies] must have at most %d items, got %d", fbMaxQuickReplies, len(m.QuickReplies)), nil
	}
	for i, q := range m.QuickReplies {
		param := fmt.Sprintf("message[quick_replies][%d]", i)
		if q.ContentType == nil || !fbQuickReplyTypes[*q.ContentType] {
			return invalidParam("Param %s[content_type] must be one of {text, user_phone_number, user_email}", param), nil
		}
		qr := QuickReply{ContentType: *q.ContentType}
		if *q.ContentType != "text" {
			if q.Title != nil || q.Payload != nil || q.ImageURL != nil {
				return invalidParam("Param %s: content_type %s takes no title, payload or image_url", param, *q.ContentType), nil
			}
			s.QuickReplies = append(s.QuickReplies, qr)
			continue
		}
		if q.Title == nil || *q.Title == "" {
			return invalidParam("Param %s[title] %s", param, errNotText), nil
		}
		if utf8.RuneCountInString(*q.Title) > fbMaxQuickTitle {
			return invalidParam("Length of param %s[title] must be less than or equal to %d", param, fbMaxQuickTitle), nil
		}
		if q.Payload == nil || *q.Payload == "" {
			return invalidParam("Param %s[payload] %s", param, errNotText), nil
		}
		if utf8.RuneCountInString(*q.Payload) > fbMaxQuickPayload {
			return invalidParam("Length of param %s[payload] must be less than or equal to %d", param, fbMaxQuickPayload), nil
		}
		if q.ImageURL != nil && !absoluteURL(*q.ImageURL) {
			return invalidParam("Param %s[image_url] must be a valid URL", param), nil
		}
		qr.Title, qr.Payload = *q.Title, *q.Payload
		s.QuickReplies = append(s.QuickReplies, qr)
	}
	return nil, func() *Response {
		f.mu.Lock()
		f.seq.mid++
		s.MessageID = fmt.Sprintf("m_%d", f.seq.mid)
		f.sent = append(f.sent, s)
		f.mu.Unlock()
		return okJSON(map[string]string{"recipient_id": s.Recipient, "message_id": s.MessageID})
	}
}

// absoluteURL: Meta fetches attachments itself, so only absolute http(s) URLs work.
func absoluteURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
