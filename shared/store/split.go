package store

import (
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// addMoves adds a split's moved messages: each deleted from the partition
// it was read in, conditioned on being there unchanged (its delivery status
// and revision as read: a report or an edit that came since would be lost),
// and put under its new ticket; an outbound message the provider knows has
// its pointer (PROVIDERMSG) follow it, so later delivery reports find it.
func (s *Store) addMoves(b *txBuilder, moves []ticket.Move) {
	for _, mv := range moves {
		m := mv.Message
		cond := "attribute_exists(PK)"
		names := map[string]string{}
		values := map[string]types.AttributeValue{}
		if m.Status != "" {
			cond += " AND #st = :st"
			names["#st"], values[":st"] = "status", &types.AttributeValueMemberS{Value: string(m.Status)}
		} else {
			cond += " AND attribute_not_exists(#st)"
			names["#st"] = "status"
		}
		if m.Revision > 0 {
			cond += " AND revision = :rev"
			values[":rev"] = versionValue(m.Revision)
		} else {
			cond += " AND attribute_not_exists(revision)"
		}
		del := &types.Delete{
			Key:                      itemKey(ticketPK(m.TicketID), messageSK(m.CreatedAt, m.ID)),
			ConditionExpression:      aws.String(cond),
			ExpressionAttributeNames: names,
		}
		if len(values) > 0 {
			del.ExpressionAttributeValues = values
		}
		b.add(types.TransactWriteItem{Delete: del})
		moved := mv.Moved()
		b.putNew(newMessageItem(moved))
		if mv.RepointsDedupe() {
			s.addDedupeRepoint(b, moved)
		}
		if mv.MovesPointer() {
			b.put(providerItem{
				keyAttrs:  keyAttrs{PK: providerPK(m.ChannelID, m.ProviderMessageID), SK: skProvider},
				ChannelID: m.ChannelID, ProviderMessageID: m.ProviderMessageID,
				TicketID: moved.TicketID, MessageID: m.ID, MessageCreated: m.CreatedAt,
			}, "attribute_not_exists(PK) OR messageId = :mid",
				map[string]types.AttributeValue{":mid": &types.AttributeValueMemberS{Value: m.ID}})
		}
	}
}

// addDedupeRepoint points a moved inbound message's dedupe record at the
// ticket it now belongs to, so a later edit or reaction (FindMessage)
// finds it, and a redelivery is told where it went. A record TTL removed
// already is written again for the message (with a new 30 days), never
// one that names another message.
func (s *Store) addDedupeRepoint(b *txBuilder, m helpdesk.Message) {
	now := s.now()
	b.add(types.TransactWriteItem{Update: &types.Update{
		Key:                 itemKey(dedupePK(DedupeKey(dedupeScope(m), m.ProviderMessageID)), skDedupe),
		UpdateExpression:    aws.String("SET ticketId = :to, messageId = if_not_exists(messageId, :mid), messageCreatedAt = if_not_exists(messageCreatedAt, :created), appliedAt = if_not_exists(appliedAt, :now), expiresAt = if_not_exists(expiresAt, :exp)"),
		ConditionExpression: aws.String("attribute_not_exists(PK) OR messageId = :mid"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":to":      &types.AttributeValueMemberS{Value: m.TicketID},
			":mid":     &types.AttributeValueMemberS{Value: m.ID},
			":created": &types.AttributeValueMemberS{Value: m.CreatedAt.UTC().Format(time.RFC3339Nano)},
			":now":     &types.AttributeValueMemberS{Value: now.UTC().Format(time.RFC3339Nano)},
			":exp":     &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Add(DedupeTTL).Unix(), 10)},
		},
	}})
}

// dedupeScope is the scope of a stored message's dedupe key, as
// helpdesk.InboundMessage.DedupeScope gave it: email is one scope, every
// other channel its own.
func dedupeScope(m helpdesk.Message) string {
	if m.ChannelKind == helpdesk.ChannelEmail {
		return string(helpdesk.ChannelEmail)
	}
	return m.ChannelID
}
