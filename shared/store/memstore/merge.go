package memstore

import "github.com/stackdesk/stackdesk/shared/ticket"

// This file keeps a change's message moves (an unmerge) as the DynamoDB
// store does: a delete from the message's partition, conditioned on it
// being there, and a put in the other ticket's, new there.

// moveKeys are the table keys a change's moves write.
func moveKeys(c ticket.Change) []string {
	var keys []string
	for _, mv := range c.Moves {
		m := mv.Message
		keys = append(keys, "TICKET#"+m.TicketID+"/MSG#"+sortKey(m.CreatedAt, m.ID), "TICKET#"+mv.To+"/MSG#"+sortKey(m.CreatedAt, m.ID))
	}
	return keys
}

// movedSince reports a move whose message is no longer where it was, or
// whose place in the other ticket is taken.
func (s *Store) movedSince(c ticket.Change) bool {
	for _, mv := range c.Moves {
		k := sortKey(mv.Message.CreatedAt, mv.Message.ID)
		from := s.conversations[mv.Message.TicketID]
		if from == nil {
			return true
		}
		if _, ok := from.messages[k]; !ok {
			return true
		}
		if to := s.conversations[mv.To]; to != nil {
			if _, ok := to.messages[k]; ok {
				return true
			}
		}
	}
	return false
}

// applyMoves moves the messages.
func (s *Store) applyMoves(c ticket.Change) {
	for _, mv := range c.Moves {
		k := sortKey(mv.Message.CreatedAt, mv.Message.ID)
		from := s.conversations[mv.Message.TicketID]
		m := from.messages[k]
		delete(from.messages, k)
		m.TicketID = mv.To
		s.conversation(mv.To).messages[k] = m
	}
}
