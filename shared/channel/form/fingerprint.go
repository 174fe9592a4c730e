package form

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Fingerprint names a submission's content: its channel, sender and
// everything it says (subject, text, ticket properties, hidden fields),
// but not its id or arrival time. Two submissions with one fingerprint are
// the same submission sent twice, e.g. retried after a time-out. The form
// webhook claims it for a short window (store.ClaimSubmission) so a retry
// without an idempotency key reuses the first id and makes no second
// ticket. The channel id leads, so one channel's fingerprints never meet
// another's.
func Fingerprint(m *helpdesk.InboundMessage) string {
	content, _ := json.Marshal(struct { // maps marshal in key order: deterministic
		Email, Name, Subject, Text string
		Ticket                     helpdesk.TicketDefaults
		Hidden                     map[string]string
	}{strings.ToLower(m.Sender.Email), m.Sender.Name, m.Subject, m.Text, m.Ticket, m.Submission})
	sum := sha256.Sum256(content)
	return m.ChannelID + "#" + hex.EncodeToString(sum[:])
}
