package meta

import (
	"strconv"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

const fixtureMID = "m_toDnmD9h3mKcFMZ6hyMXyVtXh_XHQHZLwWOFgVuFMDdk9VjmaTJq_2M4M_7xqWL1zdOPTz8dz6Bc6jFQbmS5lg"

func fbReaction(pageID, psid, mid string, kind helpdesk.UpdateKind, at int64, reaction, emoji string) helpdesk.InboundMessage {
	m := fbMsg(pageID, psid, mid+"#"+string(kind)+"#"+strconv.FormatInt(at, 10), at, "")
	m.Update = &helpdesk.MessageUpdate{Kind: kind, Target: mid, Reaction: reaction, Emoji: emoji}
	return m
}

// Meta's documented receipts, edits and reactions: a watermark with no mids
// (as Meta documents, and as most clients send) is a status of the whole
// conversation; an edit and a reaction are updates of the message they name.
func TestDecodeMessengerUpdates(t *testing.T) {
	edit := fbMsg(page, psid, fixtureMID+"#edit#1", 1583173667823, "")
	edit.Update = &helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Target: fixtureMID, Text: "hello, world! (order #4412)", NumEdit: 1}
	tests := []struct {
		file string
		want Batch
	}{
		{"messenger_read.json", Batch{Statuses: []Status{
			{ChannelID: "messenger:" + page, Recipient: psid, Status: "read", At: ms(1583173699953)},
		}}},
		{"messenger_delivery_watermark.json", Batch{Statuses: []Status{
			{ChannelID: "messenger:" + page, Recipient: psid, Status: "delivered", At: ms(1583173698853)},
		}}},
		{"messenger_edit.json", Batch{Messages: []helpdesk.InboundMessage{edit}}},
		{"messenger_reactions.json", Batch{Messages: []helpdesk.InboundMessage{
			fbReaction(page, psid, fixtureMID, helpdesk.UpdateReact, 1583173701000, "love", "\u2764\ufe0f"),
			fbReaction(page, psid, fixtureMID, helpdesk.UpdateReact, 1583173701500, "like", "👍"),
			fbReaction(page, psid, fixtureMID, helpdesk.UpdateUnreact, 1583173702000, "", ""),
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := DecodeMessenger(readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			assertBatch(t, got, tt.want)
		})
	}
}

// Receipts and updates Meta could send broken are skipped with a reason,
// never queued half-made.
func TestDecodeMessengerUpdatesBroken(t *testing.T) {
	body := `{"object":"page","entry":[{"id":"1","messaging":[
	 {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1583173700000,"read":{}},
	 {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1583173700000,"read":{"watermark":"x"}},
	 {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1583173700000,"message_edit":{"text":"no mid"}},
	 {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1583173700000,"reaction":{"mid":"m1","action":"poke"}},
	 {"sender":{"id":"2"},"recipient":{"id":"1"},"reaction":{"mid":"m1","action":"react"}}]}]}`
	got, err := DecodeMessenger([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	assertBatch(t, got, Batch{Skipped: []Skipped{
		{Kind: "read", Reason: ReasonMissingTime},
		{Kind: "read", Reason: ReasonMalformed},
		{Kind: "message_edit", Reason: ReasonMissingID},
		{Kind: "reaction", Reason: ReasonUnsupportedType},
		{Kind: "reaction", Reason: ReasonMissingTime},
	}})
}
