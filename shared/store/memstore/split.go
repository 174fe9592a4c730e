package memstore

import (
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Moved messages (a split, an unmerge), as store.Commit writes them
// (store/split.go): a delete where each was read, a put under its new
// ticket, and for an outbound message the provider knows, its pointer; for
// an inbound one, its dedupe record.

// dedupeKey is a moved inbound message's dedupe key (store.dedupeScope).
func dedupeKey(m helpdesk.Message) string {
	scope := m.ChannelID
	if m.ChannelKind == helpdesk.ChannelEmail {
		scope = string(helpdesk.ChannelEmail)
	}
	return store.DedupeKey(scope, m.ProviderMessageID)
}

// moveItems counts the items c's moves write.
func moveItems(c ticket.Change) int {
	n := 0
	for _, mv := range c.Moves {
		n += mv.Items()
	}
	return n
}

// moveKeys are the table keys c's moves write.
func moveKeys(c ticket.Change) []string {
	var keys []string
	for _, mv := range c.Moves {
		m, n := mv.Message, mv.Moved()
		keys = append(keys, "TICKET#"+m.TicketID+"/MSG#"+sortKey(m.CreatedAt, m.ID),
			"TICKET#"+n.TicketID+"/MSG#"+sortKey(n.CreatedAt, n.ID))
		if mv.MovesPointer() {
			keys = append(keys, "PROVIDERMSG#"+providerKey(m.ChannelID, m.ProviderMessageID))
		}
		if mv.RepointsDedupe() {
			keys = append(keys, "DEDUPE#"+dedupeKey(m))
		}
	}
	return keys
}

// movedSince reports a moved message gone or changed (its status or
// revision) since the decision read it, or its new place taken.
func (s *Store) movedSince(c ticket.Change) bool {
	for _, mv := range c.Moves {
		m := mv.Message
		cur, ok := s.message(m.TicketID, m.CreatedAt, m.ID)
		if !ok || cur.Status != m.Status || cur.Revision != m.Revision {
			return true
		}
		if _, taken := s.message(mv.To, m.CreatedAt, m.ID); taken {
			return true
		}
		if ref, taken := s.providers[providerKey(m.ChannelID, m.ProviderMessageID)]; mv.MovesPointer() && taken && ref.messageID != m.ID {
			return true
		}
		if d, taken := s.dedupes[dedupeKey(m)]; mv.RepointsDedupe() && taken && d.messageID != m.ID {
			return true
		}
	}
	return false
}

// applyMoves moves the messages.
func (s *Store) applyMoves(c ticket.Change) {
	for _, mv := range c.Moves {
		m := mv.Message
		cur, _ := s.message(m.TicketID, m.CreatedAt, m.ID)
		delete(s.conversations[m.TicketID].messages, sortKey(m.CreatedAt, m.ID))
		cur.TicketID = mv.To
		s.conversation(mv.To).messages[sortKey(cur.CreatedAt, cur.ID)] = cur
		if mv.MovesPointer() {
			s.providers[providerKey(m.ChannelID, m.ProviderMessageID)] = providerRef{ticketID: mv.To, messageID: m.ID, messageCreated: m.CreatedAt}
		}
		if mv.RepointsDedupe() {
			k := dedupeKey(m)
			d, ok := s.dedupes[k]
			if !ok { // TTL removed it: written again for the message
				now := s.now()
				d = dedupeRecord{messageID: m.ID, messageCreated: m.CreatedAt, appliedAt: now, expiresAt: now.Add(store.DedupeTTL).Unix()}
			}
			d.ticketID = mv.To
			s.dedupes[k] = d
		}
	}
}
