package ticket

import "github.com/stackdesk/stackdesk/shared/helpdesk"

// ConversationsScanned bounds how many of a contact's tickets (newest
// first) are read to find their latest conversation (LatestConversation).
const ConversationsScanned = 50

// LatestConversation is the ticket of ts, among those keep accepts, that
// the customer last wrote in: the latest LastCustomerMessageAt, a tie going
// to the earlier in ts (ContactTickets lists newest first). Spam and merged
// tickets are no conversation and are never kept. false: none is left.
func LatestConversation(ts []helpdesk.Ticket, keep func(helpdesk.Ticket) bool) (helpdesk.Ticket, bool) {
	var best helpdesk.Ticket
	found := false
	for _, t := range ts {
		if t.State == helpdesk.StateSpam || t.State == helpdesk.StateMerged || !keep(t) {
			continue
		}
		if !found || t.LastCustomerMessageAt.After(best.LastCustomerMessageAt) {
			best, found = t, true
		}
	}
	return best, found
}
