package store

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/ticket"
)

// addMoves adds a change's message moves (an unmerge sending messages back
// to the ticket whose thread they came through): each message deleted
// from its partition, on condition it is still there, and put in the other
// ticket's, new there. Two items a move.
func (s *Store) addMoves(b *txBuilder, moves []ticket.MessageMove) {
	for _, mv := range moves {
		m := mv.Message
		b.add(types.TransactWriteItem{Delete: &types.Delete{
			Key:                 itemKey(ticketPK(m.TicketID), messageSK(m.CreatedAt, m.ID)),
			ConditionExpression: aws.String("attribute_exists(PK)"),
		}})
		m.TicketID = mv.To
		b.putNew(newMessageItem(m))
	}
}
