package helpdesk

import "time"

// MergeProvenance is what a merge changed, kept on the merged ticket (the
// secondary, a tombstone while merged): with it, and with what the
// messages that arrived since say of their thread, an unmerge restores
// both tickets. Everything else the secondary had stays on it, untouched.
type MergeProvenance struct {
	At    time.Time `dynamodbav:"at" json:"at"`
	Actor string    `dynamodbav:"actor" json:"actor"`
	// State is the secondary's state before (open, closed, spam).
	State State `dynamodbav:"state" json:"state"`
	// The primary's participants and thread keys before the merge.
	PrimaryParticipants []string `dynamodbav:"primaryParticipants,omitempty" json:"primary_participants,omitempty"`
	PrimaryThreadKeys   []string `dynamodbav:"primaryThreadKeys,omitempty" json:"primary_thread_keys,omitempty"`
	// MovedKeys are the secondary's thread keys the merge repointed to the
	// primary (its other keys stayed with it, leading there through it).
	MovedKeys []string `dynamodbav:"movedKeys,omitempty" json:"moved_keys,omitempty"`
	// MessageCount is how many messages the merge added to the primary's count.
	MessageCount int `dynamodbav:"messageCount" json:"message_count"`
}
