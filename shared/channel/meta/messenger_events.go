package meta

import (
	"encoding/json"
	"strconv"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file decodes the Messenger events that change what is already in a
// conversation rather than add to it: delivery and read receipts (a
// watermark over our messages), message edits and reactions (a change to
// one message).

// fbUpdateEvent holds the event kinds decodeMessengerUpdate reads.
type fbUpdateEvent struct {
	Read *struct {
		Watermark flexInt `json:"watermark"`
	} `json:"read"`
	MessageEdit *struct {
		MID     string  `json:"mid"`
		Text    string  `json:"text"`
		NumEdit flexInt `json:"num_edit"`
	} `json:"message_edit"`
	Reaction *struct {
		MID      string `json:"mid"`
		Action   string `json:"action"`
		Reaction string `json:"reaction"`
		Emoji    string `json:"emoji"`
	} `json:"reaction"`
}

// messengerWatermark adds a watermark status (Meta: "all messages that were
// sent before or at this timestamp were delivered/read") for the
// conversation of base's sender, and reports whether it did: not without a
// valid watermark or a sender.
func messengerWatermark(b *Batch, kind string, base helpdesk.InboundMessage, watermark int64, status string) bool {
	at, ok := unixMilli(watermark)
	if !ok || base.Sender.PSID == "" {
		return false
	}
	b.Statuses = append(b.Statuses, Status{ChannelID: base.ChannelID, Recipient: base.Sender.PSID, Status: status, At: at})
	return true
}

// decodeMessengerUpdate decodes a read receipt, a message_edit or a
// reaction; it reports false for any other kind (the caller skips it).
func decodeMessengerUpdate(b *Batch, kind string, base helpdesk.InboundMessage, raw json.RawMessage) bool {
	var ev fbUpdateEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		switch kind {
		case "read", "message_edit", "reaction":
			b.skip(kind, ReasonMalformed)
			return true
		}
		return false
	}
	switch {
	case ev.Read != nil:
		if !messengerWatermark(b, kind, base, int64(ev.Read.Watermark), "read") {
			b.skip(kind, ReasonMissingTime)
		}
	case ev.MessageEdit != nil:
		e := ev.MessageEdit
		if !b.identified(kind, e.MID, !base.ReceivedAt.IsZero()) {
			return true
		}
		m := base
		n := int(max(int64(e.NumEdit), 0))
		// Each edit is its own event: the number keeps a redelivery of it
		// one event, and two edits two.
		seq := strconv.Itoa(n)
		if n == 0 {
			seq = "t" + strconv.FormatInt(base.ReceivedAt.UnixMilli(), 10)
		}
		m.ProviderMessageID = e.MID + "#edit#" + seq
		m.Update = &helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Target: e.MID, Text: e.Text, NumEdit: n}
		b.add(kind, m)
	case ev.Reaction != nil:
		r := ev.Reaction
		if !b.identified(kind, r.MID, !base.ReceivedAt.IsZero()) {
			return true
		}
		k := helpdesk.UpdateReact
		switch r.Action {
		case "react":
		case "unreact":
			k = helpdesk.UpdateUnreact
		default:
			b.skip(kind, ReasonUnsupportedType)
			return true
		}
		m := base
		m.ProviderMessageID = r.MID + "#" + string(k) + "#" + strconv.FormatInt(base.ReceivedAt.UnixMilli(), 10)
		m.Update = &helpdesk.MessageUpdate{Kind: k, Target: r.MID,
			Reaction: helpdesk.TruncateBytes(r.Reaction, 32, ""), Emoji: helpdesk.TruncateBytes(r.Emoji, 64, "")}
		b.add(kind, m)
	default:
		return false
	}
	return true
}
