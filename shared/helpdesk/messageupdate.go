package helpdesk

import "time"

// MessageUpdate is a change a customer made to a message already sent
// (Messenger message_edit and reactions): an InboundMessage that carries one
// is applied to the message it names, never stored as a message itself.
type MessageUpdate struct {
	Kind UpdateKind `json:"kind"`
	// Target is the provider id of the message changed (Messenger's mid):
	// one of the customer's, or one of ours they reacted to.
	Target string `json:"target"`
	// Edit: the new text, and how many times it has been edited (Meta's
	// num_edit; 0 when not given).
	Text    string `json:"text,omitempty"`
	NumEdit int    `json:"num_edit,omitempty"`
	// Reaction: Meta's name of it (smile, love, like, ..., other) and the emoji.
	Reaction string `json:"reaction,omitempty"`
	Emoji    string `json:"emoji,omitempty"`
}

// UpdateKind is what a MessageUpdate does.
type UpdateKind string

const (
	UpdateEdit    UpdateKind = "edit"
	UpdateReact   UpdateKind = "react"
	UpdateUnreact UpdateKind = "unreact"
)

// MessageEdit is a previous text of an edited message, and when it was replaced.
type MessageEdit struct {
	Text string    `dynamodbav:"text" json:"text"`
	At   time.Time `dynamodbav:"at" json:"at"`
}

// Reaction is one person's reaction to a message (one per reactor).
type Reaction struct {
	// By is the reactor's sender key on the channel (messenger#<page>#<psid>).
	By       string    `dynamodbav:"by" json:"by"`
	Reaction string    `dynamodbav:"reaction,omitempty" json:"reaction,omitempty"`
	Emoji    string    `dynamodbav:"emoji,omitempty" json:"emoji,omitempty"`
	At       time.Time `dynamodbav:"at" json:"at"`
	// Removed marks a withdrawn reaction, kept so that an older reaction
	// arriving late does not bring it back; never shown.
	Removed bool `dynamodbav:"removed,omitempty" json:"removed,omitempty"`
}

// MessageRef locates a stored message: its ticket's partition and its sort key.
type MessageRef struct {
	TicketID  string
	MessageID string
	CreatedAt time.Time
}
