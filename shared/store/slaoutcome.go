package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type slaOutcomeItem struct {
	keyAttrs
	helpdesk.SLAOutcome
}

// addSLAOutcomes puts the change's SLA outcomes, each only if absent: the
// model decides a target's outcome once (the ticket's version guards a
// retry); the condition keeps it once even so.
func addSLAOutcomes(b *txBuilder, os []helpdesk.SLAOutcome) {
	for _, o := range os {
		b.putNew(slaOutcomeItem{keyAttrs: keyAttrs{PK: slaOutcomePK(o.TicketID), SK: slaOutcomeSK(o.Kind, o.StartedAt),
			GSI3PK: listSLAOutcomes, GSI3SK: slaOutcomeListSK(o)}, SLAOutcome: o})
	}
}

// SLAOutcomes returns the SLA outcomes recorded in [from, to), oldest
// first: one query of the outcomes' GSI3 partition (eventually consistent,
// like every index).
func (s *Store) SLAOutcomes(ctx context.Context, from, to time.Time) ([]helpdesk.SLAOutcome, error) {
	out, err := periodQuery(ctx, s, listSLAOutcomes, from, to, func(it slaOutcomeItem) helpdesk.SLAOutcome { return it.SLAOutcome })
	if err != nil {
		return nil, fmt.Errorf("sla outcomes from %s: %w", from, err)
	}
	return out, nil
}

// DeleteSLAOutcomes removes a ticket's SLA outcomes (the purge of a
// deleted ticket): one query of its outcome partition, then the deletes.
func (s *Store) DeleteSLAOutcomes(ctx context.Context, ticketID string) error {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ProjectionExpression:      aws.String("PK, SK"),
		ConsistentRead:            aws.Bool(true),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: slaOutcomePK(ticketID)}},
	})
	var reqs []types.WriteRequest
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("delete sla outcomes of ticket %s: %w", ticketID, translate(err))
		}
		for _, it := range page.Items {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]}}})
		}
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("delete sla outcomes of ticket %s: %w", ticketID, err)
	}
	return nil
}
