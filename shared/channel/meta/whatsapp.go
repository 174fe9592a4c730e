package meta

import (
	"encoding/json"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type waEntry struct {
	ID      string            `json:"id"`
	Changes []json.RawMessage `json:"changes"`
}

type waChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type waValue struct {
	MessagingProduct string `json:"messaging_product"`
	Metadata         struct {
		DisplayPhoneNumber string `json:"display_phone_number"`
		PhoneNumberID      string `json:"phone_number_id"`
	} `json:"metadata"`
	Contacts []json.RawMessage `json:"contacts"`
	Messages []json.RawMessage `json:"messages"`
	Statuses []json.RawMessage `json:"statuses"`
}

type waContact struct {
	Profile struct {
		Name string `json:"name"`
	} `json:"profile"`
	WaID   string `json:"wa_id"`
	UserID string `json:"user_id"` // the business-scoped user id (BSUID)
}

type waMedia struct {
	ID       string `json:"id"`
	MimeType string `json:"mime_type"`
	SHA256   string `json:"sha256"`
	Caption  string `json:"caption"`
	Filename string `json:"filename"`
}

type waMessage struct {
	From       string  `json:"from"`
	FromUserID string  `json:"from_user_id"` // BSUID; alone when a username hides the number
	ID         string  `json:"id"`
	Timestamp  flexInt `json:"timestamp"`
	Type       string  `json:"type"`
	Text       *struct {
		Body string `json:"body"`
	} `json:"text"`
	Image    *waMedia  `json:"image"`
	Video    *waMedia  `json:"video"`
	Audio    *waMedia  `json:"audio"`
	Document *waMedia  `json:"document"`
	Sticker  *waMedia  `json:"sticker"`
	Order    *waOrder  `json:"order"`
	System   *waSystem `json:"system"`
	Reaction *struct {
		MessageID string `json:"message_id"`
		Emoji     string `json:"emoji"`
	} `json:"reaction"`
	Unsupported *struct {
		Type string `json:"type"`
	} `json:"unsupported"`
	Location *struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		Name      string   `json:"name"`
		Address   string   `json:"address"`
		URL       string   `json:"url"`
	} `json:"location"`
	Contacts []waSharedContact `json:"contacts"`
	Button   *struct {
		Text    string `json:"text"`
		Payload string `json:"payload"`
	} `json:"button"`
	Interactive *struct {
		Type        string `json:"type"`
		ButtonReply *struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"button_reply"`
		ListReply *struct {
			ID          string `json:"id"`
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"list_reply"`
		NfmReply *waNfmReply `json:"nfm_reply"`
	} `json:"interactive"`
}

type waSharedContact struct {
	Name struct {
		FormattedName string `json:"formatted_name"`
		FirstName     string `json:"first_name"`
		LastName      string `json:"last_name"`
	} `json:"name"`
	Phones []struct {
		Phone string `json:"phone"`
		WaID  string `json:"wa_id"`
	} `json:"phones"`
	Emails []struct {
		Email string `json:"email"`
	} `json:"emails"`
	Org struct {
		Company string `json:"company"`
	} `json:"org"`
}

type waStatus struct {
	ID          string  `json:"id"`
	Status      string  `json:"status"`
	Timestamp   flexInt `json:"timestamp"`
	RecipientID string  `json:"recipient_id"`
	Errors      []struct {
		Code      flexInt `json:"code"`
		Title     string  `json:"title"`
		Message   string  `json:"message"`
		ErrorData struct {
			Details string `json:"details"`
		} `json:"error_data"`
	} `json:"errors"`
}

// DecodeWhatsApp decodes a WhatsApp Cloud API (object
// "whatsapp_business_account") webhook body.
//
// Messages become InboundMessages (ChannelID "whatsapp:<phone_number_id>");
// media is referenced by id in Attachment.Key as "wa-media:<id>" (the caller
// downloads it); location and shared contacts become text; button and
// interactive replies keep their title as text and their payload/id in
// Submission["quick_reply"]. Statuses become Statuses. Changes other than
// "messages" and unknown message types are skipped.
func DecodeWhatsApp(body []byte) (Batch, error) {
	entries, err := decodeRoot(body, "whatsapp_business_account")
	if err != nil {
		return Batch{}, err
	}
	var b Batch
	for _, raw := range entries {
		var e waEntry
		if err := json.Unmarshal(raw, &e); err != nil {
			b.skip("entry", ReasonMalformed)
			continue
		}
		for _, rc := range e.Changes {
			var c waChange
			if err := json.Unmarshal(rc, &c); err != nil {
				b.skip("change", ReasonMalformed)
				continue
			}
			if c.Field != "messages" {
				b.skip("change:"+helpdesk.TruncateBytes(c.Field, 64, helpdesk.Ellipsis), ReasonUnsupportedField)
				continue
			}
			var v waValue
			if err := json.Unmarshal(c.Value, &v); err != nil {
				b.skip("change:messages", ReasonMalformed)
				continue
			}
			decodeWhatsAppValue(&b, v)
		}
	}
	return b, nil
}

func decodeWhatsAppValue(b *Batch, v waValue) {
	names := map[string]string{}
	var only string
	for _, rc := range v.Contacts {
		var c waContact
		if err := json.Unmarshal(rc, &c); err != nil {
			continue
		}
		if c.WaID != "" {
			names[c.WaID] = c.Profile.Name
		}
		if c.UserID != "" {
			names["user:"+c.UserID] = c.Profile.Name
		}
		only = c.Profile.Name
	}
	if len(v.Contacts) != 1 {
		only = ""
	}
	for _, rm := range v.Messages {
		var wm waMessage
		if err := json.Unmarshal(rm, &wm); err != nil {
			b.skip("message", ReasonMalformed)
			continue
		}
		kind := "message:" + helpdesk.TruncateBytes(wm.Type, 64, helpdesk.Ellipsis)
		if wm.ID == "" {
			b.skip(kind, ReasonMissingID)
			continue
		}
		at, ok := unixSec(int64(wm.Timestamp))
		if !ok {
			b.skip(kind, ReasonMissingTime)
			continue
		}
		name, found := names[wm.From]
		if !found || wm.From == "" {
			name, found = names["user:"+wm.FromUserID]
		}
		if !found {
			name = only
		}
		m := helpdesk.InboundMessage{
			Version:           helpdesk.InboundVersion,
			Channel:           helpdesk.ChannelWhatsApp,
			ChannelID:         "whatsapp:" + v.Metadata.PhoneNumberID,
			ProviderMessageID: wm.ID,
			ReceivedAt:        at,
			Sender:            helpdesk.Sender{WhatsAppID: wm.From, WhatsAppUserID: wm.FromUserID, Name: name},
		}
		if v.Metadata.PhoneNumberID == "" {
			m.ChannelID = ""
		}
		if !fillWhatsApp(&m, wm) {
			// Never nothing: a kind we do not render yet is kept as such.
			unsupportedWhatsApp(&m, wm)
		}
		if keepsRaw(&m, wm) {
			m.Raw = rawCopy(rm)
		}
		if m.Text == "" && len(m.Attachments) == 0 {
			b.skip(kind, ReasonEmpty)
			continue
		}
		b.add(kind, m)
	}
	for _, rs := range v.Statuses {
		var ws waStatus
		if err := json.Unmarshal(rs, &ws); err != nil {
			b.skip("status", ReasonMalformed)
			continue
		}
		if ws.ID == "" || ws.Status == "" {
			b.skip("status", ReasonMissingID)
			continue
		}
		at, ok := unixSec(int64(ws.Timestamp))
		if !ok {
			b.skip("status", ReasonMissingTime)
			continue
		}
		s := Status{ChannelID: "whatsapp:" + v.Metadata.PhoneNumberID, ProviderMessageID: ws.ID, Status: ws.Status, At: at}
		if len(ws.Errors) > 0 {
			e := ws.Errors[0]
			s.ErrorCode = int(e.Code)
			s.ErrorTitle = e.Title
			s.ErrorDetail = e.ErrorData.Details
			if s.ErrorDetail == "" {
				s.ErrorDetail = e.Message
			}
		}
		b.Statuses = append(b.Statuses, s)
	}
}

// fillWhatsApp sets Text, Attachments and Submission from the typed part of
// the message; false for types this package does not take.
func fillWhatsApp(m *helpdesk.InboundMessage, wm waMessage) bool {
	switch wm.Type {
	case "text":
		if wm.Text != nil {
			m.Text = wm.Text.Body
		}
	case "image", "video", "audio", "document", "sticker":
		media := map[string]*waMedia{"image": wm.Image, "video": wm.Video, "audio": wm.Audio, "document": wm.Document, "sticker": wm.Sticker}[wm.Type]
		if media == nil || media.ID == "" {
			return true // empty: skipped by the caller
		}
		m.Text = media.Caption
		name := media.Filename
		if name == "" {
			name = wm.Type
		}
		ct := media.MimeType
		if wm.Type == "sticker" {
			// A sticker is an image (WebP), fetched like one.
			name, ct = "sticker.webp", "image/webp"
		}
		m.Attachments = []helpdesk.Attachment{{
			Name:        name,
			ContentType: ct,
			Key:         "wa-media:" + media.ID,
		}}
	case "order":
		if wm.Order != nil {
			m.Text = orderText(*wm.Order)
		}
	case "system":
		if wm.System == nil {
			return false
		}
		m.System = systemEvent(*wm.System)
		m.Text = m.System.Text
	case "reaction":
		if wm.Reaction == nil {
			return false
		}
		m.Text = reactionText(wm.Reaction.Emoji)
		if wm.Reaction.MessageID != "" {
			m.Submission = map[string]string{"reaction_to": wm.Reaction.MessageID}
		}
	case "location":
		if l := wm.Location; l != nil {
			m.Text = locationText(l.Name, l.Address, l.URL, l.Latitude, l.Longitude)
		}
	case "contacts":
		var lines []string
		for _, c := range wm.Contacts {
			if line := contactLine(c); line != "" {
				lines = append(lines, line)
			}
		}
		m.Text = strings.Join(lines, "\n")
	case "button":
		if wm.Button != nil {
			m.Text = wm.Button.Text
			if wm.Button.Payload != "" {
				m.Submission = map[string]string{"quick_reply": wm.Button.Payload}
			}
		}
	case "interactive":
		in := wm.Interactive
		if in == nil {
			return true
		}
		var id string
		switch {
		case in.ButtonReply != nil:
			m.Text, id = in.ButtonReply.Title, in.ButtonReply.ID
		case in.ListReply != nil:
			m.Text, id = in.ListReply.Title, in.ListReply.ID
		case in.NfmReply != nil:
			flowReply(m, *in.NfmReply)
			return true
		default:
			return false
		}
		if id != "" {
			m.Submission = map[string]string{"quick_reply": id}
		}
	default:
		return false
	}
	return true
}

// contactLine renders a shared contact as "👤 Name: phone, phone, email".
func contactLine(c waSharedContact) string {
	name := c.Name.FormattedName
	if name == "" {
		name = strings.TrimSpace(c.Name.FirstName + " " + c.Name.LastName)
	}
	var details []string
	for _, p := range c.Phones {
		if p.Phone != "" {
			details = append(details, p.Phone)
		} else if p.WaID != "" {
			details = append(details, "+"+p.WaID)
		}
	}
	for _, e := range c.Emails {
		if e.Email != "" {
			details = append(details, e.Email)
		}
	}
	if name == "" && len(details) == 0 {
		return ""
	}
	line := "👤 " + name
	if name == "" {
		line = "👤"
	}
	if len(details) > 0 {
		if name == "" {
			line += " " + joinComma(details)
		} else {
			line += ": " + joinComma(details)
		}
	}
	return line
}
