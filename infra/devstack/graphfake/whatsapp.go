package graphfake

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The Cloud API messages request, as far as the fake models it: text and
// media (image, document, audio, video) messages to an individual.
type waSendBody struct {
	MessagingProduct *string `json:"messaging_product"`
	RecipientType    *string `json:"recipient_type"`
	To               *string `json:"to"`
	Recipient        *string `json:"recipient"` // a BSUID; "to" wins when both are sent
	Type             *string `json:"type"`
	Text             *struct {
		PreviewURL *bool   `json:"preview_url"`
		Body       *string `json:"body"`
	} `json:"text"`
	Image    *waMediaBody `json:"image"`
	Document *waMediaBody `json:"document"`
	Audio    *waMediaBody `json:"audio"`
	Video    *waMediaBody `json:"video"`
}

type waMediaBody struct {
	ID       *string `json:"id"`
	Link     *string `json:"link"`
	Caption  *string `json:"caption"`
	Filename *string `json:"filename"`
}

const (
	waMaxText    = 4096
	waMaxCaption = 1024
)

func (f *Fake) checkWhatsApp(req Request, phoneID string) (*Response, func() *Response) {
	var b waSendBody
	if err := decodeStrict(req.Body, &b); err != nil {
		return waInvalidParam("Invalid JSON body: %v", err), nil
	}
	if b.MessagingProduct == nil {
		return waInvalidParam("The parameter messaging_product is required."), nil
	}
	if *b.MessagingProduct != "whatsapp" {
		return waInvalidParam("Param messaging_product must be 'whatsapp', got %q", *b.MessagingProduct), nil
	}
	// recipient_type is optional (default individual); groups are not modelled.
	if b.RecipientType != nil && *b.RecipientType != "individual" {
		return waInvalidParam("Param recipient_type must be 'individual', got %q", *b.RecipientType), nil
	}
	to := ""
	switch {
	case b.To != nil && *b.To != "":
		if !phoneLike(*b.To) {
			return waInvalidParam("Param to must be a phone number, got %q", *b.To), nil
		}
		to = *b.To
	case b.Recipient != nil && *b.Recipient != "":
		if !bsuidLike(*b.Recipient) {
			return waInvalidParam("Param recipient must be a business-scoped user id, got %q", *b.Recipient), nil
		}
		to = *b.Recipient
	default:
		return waInvalidParam("The parameter to (or recipient) is required."), nil
	}
	typ := "text" // documented default
	if b.Type != nil {
		typ = *b.Type
	}
	objects := map[string]bool{
		"text": b.Text != nil, "image": b.Image != nil, "document": b.Document != nil,
		"audio": b.Audio != nil, "video": b.Video != nil,
	}
	if _, ok := objects[typ]; !ok {
		return waInvalidParam("Param type %q is not one of text, image, document, audio, video (graphfake does not model other types)", typ), nil
	}
	for _, name := range []string{"text", "image", "document", "audio", "video"} {
		if objects[name] && name != typ {
			return waInvalidParam("Parameter '%s' is not valid for a message of type '%s'", name, typ), nil
		}
	}
	if !objects[typ] {
		return waInvalidParam("The parameter %s is required for type '%s'.", typ, typ), nil
	}
	s := Sent{Kind: KindWhatsApp, AccountID: phoneID, Token: req.Token, Recipient: to, RecipientType: "individual"}
	if typ == "text" {
		if b.Text.Body == nil || *b.Text.Body == "" {
			return waInvalidParam("The parameter text['body'] is required."), nil
		}
		if n := utf8.RuneCountInString(*b.Text.Body); n > waMaxText {
			return waInvalidParam("Param text['body'] must be at most %d characters long, got %d", waMaxText, n), nil
		}
		s.Text = *b.Text.Body
		if b.Text.PreviewURL != nil {
			s.PreviewURL = *b.Text.PreviewURL
		}
	} else {
		md := map[string]*waMediaBody{"image": b.Image, "document": b.Document, "audio": b.Audio, "video": b.Video}[typ]
		a, fail := f.checkWhatsAppMedia(typ, md)
		if fail != nil {
			return fail, nil
		}
		s.Attachment = a
	}
	// Meta answers wa_id for a send to a number, user_id for one to a BSUID.
	contact := map[string]string{"input": s.Recipient, "wa_id": digits(s.Recipient)}
	if to == "" || !phoneLike(to) {
		contact = map[string]string{"input": s.Recipient, "user_id": s.Recipient}
	}
	return nil, func() *Response {
		f.mu.Lock()
		f.seq.wamid++
		s.MessageID = fmt.Sprintf("wamid.%d", f.seq.wamid)
		f.sent = append(f.sent, s)
		f.mu.Unlock()
		return okJSON(map[string]any{
			"messaging_product": "whatsapp",
			"contacts":          []map[string]string{contact},
			"messages":          []map[string]string{{"id": s.MessageID}},
		})
	}
}

func (f *Fake) checkWhatsAppMedia(typ string, md *waMediaBody) (*Attachment, *Response) {
	a := &Attachment{Type: typ}
	switch {
	case md.ID != nil && md.Link != nil:
		return nil, waInvalidParam("Param %s must have either id or link, not both", typ)
	case md.ID != nil:
		f.mu.Lock()
		_, ok := f.media[*md.ID]
		f.mu.Unlock()
		if !ok {
			return nil, waInvalidParam("Param %s['id'] %q is not an uploaded media id", typ, *md.ID)
		}
		a.MediaID = *md.ID
	case md.Link != nil:
		if !absoluteURL(*md.Link) {
			return nil, waInvalidParam("Param %s['link'] must be an absolute http(s) URL", typ)
		}
		a.URL = *md.Link
	default:
		return nil, waInvalidParam("Param %s must have id or link", typ)
	}
	if md.Caption != nil {
		if typ == "audio" {
			return nil, waInvalidParam("Param audio['caption'] is not valid: audio messages have no caption")
		}
		if n := utf8.RuneCountInString(*md.Caption); n > waMaxCaption {
			return nil, waInvalidParam("Param %s['caption'] must be at most %d characters long, got %d", typ, waMaxCaption, n)
		}
		a.Caption = *md.Caption
	}
	if md.Filename != nil {
		if typ != "document" {
			return nil, waInvalidParam("Param %s['filename'] is not valid: only documents have a filename", typ)
		}
		a.Filename = *md.Filename
	}
	return a, nil
}

// phoneLike accepts what the Cloud API takes as "to": a phone number, digits
// with an optional leading '+'.
func phoneLike(s string) bool {
	s = strings.TrimPrefix(s, "+")
	if len(s) < 5 || len(s) > 20 {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// bsuidLike accepts a business-scoped user id: a country code, a period,
// optionally ENT. (a parent BSUID), then letters and digits.
func bsuidLike(s string) bool {
	cc, rest, ok := strings.Cut(s, ".")
	rest = strings.TrimPrefix(rest, "ENT.")
	return ok && len(cc) == 2 && strings.ToUpper(cc) == cc && strings.Trim(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") == "" &&
		rest != "" && len(rest) <= 128 && strings.Trim(rest, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == ""
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
