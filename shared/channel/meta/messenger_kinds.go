package meta

import (
	"encoding/json"
	"strconv"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file renders what a Messenger message carries: files (a sticker
// once, however many times it is attached), locations, shared links and
// posts (as links with their title, never as a file), shares whose payload
// Meta withholds (a line saying what was shared) and attachment types not
// rendered yet ("unsupported message (attachment:<type>)", raw kept).

type fbElement struct {
	Title         string `json:"title"`
	Subtitle      string `json:"subtitle"`
	URL           string `json:"url"`
	ItemURL       string `json:"item_url"`
	DefaultAction *struct {
		URL string `json:"url"`
	} `json:"default_action"`
}

// sharedWhat names what a share of each type was, for a share without content.
var sharedWhat = map[string]string{
	"share":    "a post",
	"fallback": "a link",
	"template": "a message template",
	"image":    "an image",
	"video":    "a video",
	"audio":    "an audio clip",
	"file":     "a file",
	"sticker":  "a sticker",
}

// messengerContent sets m's text, attachments and quick-reply payload from
// msg (raw is the message object, kept when something is not rendered).
// A message always ends with some text or an attachment.
func messengerContent(m *helpdesk.InboundMessage, msg *fbMessage, raw json.RawMessage) {
	m.Text = msg.Text
	keepRaw := false
	seen := map[string]bool{}
	for _, a := range msg.Attachments {
		if loc := messengerLocation(a); loc != "" {
			m.Text = appendLine(m.Text, loc)
			continue
		}
		switch a.Type {
		case "image", "video", "audio", "file", "sticker":
			att, ok := messengerAttachment(a)
			if !ok {
				m.Text = appendLine(m.Text, sharedNothing(a.Type))
				keepRaw = true
				continue
			}
			key := "url:" + att.URL
			if id := stickerID(a, msg); id != 0 {
				key = "sticker:" + strconv.FormatInt(id, 10)
				att.ContentType = "image/*"
			}
			if seen[key] {
				continue // one sticker sent as an image and as a sticker
			}
			seen[key] = true
			m.Attachments = append(m.Attachments, att)
		case "fallback", "template", "share":
			lines := linkLines(a)
			if len(lines) == 0 {
				lines = []string{sharedNothing(a.Type)}
				keepRaw = true
			}
			for _, l := range lines {
				m.Text = appendLine(m.Text, l)
			}
		default:
			m.Text = appendLine(m.Text, UnsupportedText("attachment:"+a.Type))
			if l := linkLine(attachmentLink(a)); l != "" {
				m.Text = appendLine(m.Text, l)
			}
			keepRaw = true
		}
	}
	if msg.QuickReply != nil && msg.QuickReply.Payload != "" {
		m.Submission = map[string]string{"quick_reply": msg.QuickReply.Payload}
	}
	if m.Text == "" && len(m.Attachments) == 0 {
		kind := "message"
		if msg.StickerID != 0 {
			kind = "sticker"
		}
		m.Text = UnsupportedText(kind)
		keepRaw = true
	}
	if keepRaw {
		m.Raw = rawCopy(raw)
	}
}

// stickerID is the sticker an image attachment shows: its own sticker_id,
// else the message's when the attachment is an image or a sticker.
func stickerID(a fbAttachment, msg *fbMessage) int64 {
	if a.Payload != nil && a.Payload.StickerID != 0 {
		return int64(a.Payload.StickerID)
	}
	if a.Type == "image" || a.Type == "sticker" {
		return int64(msg.StickerID)
	}
	return 0
}

func sharedNothing(typ string) string {
	what, ok := sharedWhat[typ]
	if !ok {
		what = "something"
	}
	return "📎 Shared " + what + " (no preview available)"
}

type link struct{ title, url string }

func attachmentLink(a fbAttachment) link {
	l := link{title: a.Title, url: a.URL}
	if p := a.Payload; p != nil {
		if p.URL != "" {
			l.url = p.URL
		}
		if p.Title != "" {
			l.title = p.Title
		}
	}
	return l
}

// linkLines renders a shared link (fallback), post (share) or template:
// the link itself and every element of a template.
func linkLines(a fbAttachment) []string {
	var lines []string
	if l := linkLine(attachmentLink(a)); l != "" {
		lines = append(lines, l)
	}
	if p := a.Payload; p != nil {
		els := p.Elements
		if p.Product != nil {
			els = append(els, p.Product.Elements...)
		}
		if p.Generic != nil {
			els = append(els, p.Generic.Elements...)
		}
		for _, e := range els {
			title := e.Title
			if e.Subtitle != "" {
				if title != "" {
					title += " – "
				}
				title += e.Subtitle
			}
			u := e.URL
			if u == "" && e.DefaultAction != nil {
				u = e.DefaultAction.URL
			}
			if u == "" {
				u = e.ItemURL
			}
			if l := linkLine(link{title: title, url: u}); l != "" {
				lines = append(lines, l)
			}
		}
	}
	return lines
}

// linkLine is "🔗 title — url", or whichever of them there is.
func linkLine(l link) string {
	switch {
	case l.title != "" && l.url != "":
		return "🔗 " + l.title + " — " + l.url
	case l.url != "":
		return "🔗 " + l.url
	case l.title != "":
		return "🔗 " + l.title
	}
	return ""
}
