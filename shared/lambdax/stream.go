package lambdax

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Indexer indexes written items (index.Service).
type Indexer interface {
	ApplyAll(ctx context.Context, cs []index.Change) error
}

// SearchIndexerHandler is the search-indexer function's handler: it reads
// a batch of the table's stream (template.yaml filters it to messages
// inserted, tickets and contacts written and tickets removed) and indexes
// them, moving the desk clock when a ticket changed. A failure
// fails the batch: Lambda retries it, halving it on each failure, and
// sends what still fails to the indexer's DLQ; indexing is idempotent, so
// a retried record writes nothing it wrote before.
func SearchIndexerHandler[I Indexer](ix I, log *slog.Logger) func(context.Context, events.DynamoDBEvent) error {
	return func(ctx context.Context, ev events.DynamoDBEvent) error {
		var cs []index.Change
		for _, rec := range ev.Records {
			c, ok, err := streamChange(rec)
			if err != nil {
				return fmt.Errorf("stream record %s: %w", rec.EventID, err)
			}
			if ok {
				cs = append(cs, c)
			}
		}
		if err := ix.ApplyAll(ctx, cs); err != nil {
			return err
		}
		log.InfoContext(ctx, "indexed", "records", len(ev.Records), "changes", len(cs))
		return nil
	}
}

// streamChange reads one stream record as what was written: an inserted
// message, or one whose text the customer edited (its new words are
// indexed; the old ones stay, as the message keeps its previous text), a ticket or a contact created or
// changed, or a ticket removed (it indexes nothing, but moves the desk
// clock). Other removals and items index nothing.
func streamChange(rec events.DynamoDBEventRecord) (index.Change, bool, error) {
	sk, ok := rec.Change.Keys["SK"]
	if !ok || sk.DataType() != events.DataTypeString {
		return index.Change{}, false, nil
	}
	if rec.EventName == string(events.DynamoDBOperationTypeRemove) {
		if sk.String() != "TICKET" || len(rec.Change.OldImage) == 0 {
			return index.Change{}, false, nil
		}
		t, err := image[helpdesk.Ticket](rec.Change.OldImage)
		return index.Change{TicketGone: t}, err == nil, err
	}
	var c index.Change
	var err error
	switch {
	case strings.HasPrefix(sk.String(), "MSG#") && (rec.EventName == string(events.DynamoDBOperationTypeInsert) || textEdited(rec)):
		c.Message, err = image[helpdesk.Message](rec.Change.NewImage)
	case sk.String() == "TICKET":
		if c.Ticket, err = image[helpdesk.Ticket](rec.Change.NewImage); err == nil && len(rec.Change.OldImage) > 0 {
			c.TicketBefore, err = image[helpdesk.Ticket](rec.Change.OldImage)
		}
	case sk.String() == "CONTACT":
		if c.Contact, err = image[helpdesk.Contact](rec.Change.NewImage); err == nil && len(rec.Change.OldImage) > 0 {
			c.ContactBefore, err = image[helpdesk.Contact](rec.Change.OldImage)
		}
	default:
		return c, false, nil
	}
	return c, err == nil, err
}

func image[T any](img map[string]events.DynamoDBAttributeValue) (*T, error) {
	var v T
	if err := attributevalue.UnmarshalMap(streamImage(img), &v); err != nil {
		return nil, fmt.Errorf("decode %T: %w", v, err)
	}
	return &v, nil
}

// streamImage converts a stream image to the SDK's attribute values.
func streamImage(img map[string]events.DynamoDBAttributeValue) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(img))
	for k, v := range img {
		out[k] = streamValue(v)
	}
	return out
}

func streamValue(v events.DynamoDBAttributeValue) types.AttributeValue {
	switch v.DataType() {
	case events.DataTypeString:
		return &types.AttributeValueMemberS{Value: v.String()}
	case events.DataTypeNumber:
		return &types.AttributeValueMemberN{Value: v.Number()}
	case events.DataTypeBinary:
		return &types.AttributeValueMemberB{Value: v.Binary()}
	case events.DataTypeBoolean:
		return &types.AttributeValueMemberBOOL{Value: v.Boolean()}
	case events.DataTypeStringSet:
		return &types.AttributeValueMemberSS{Value: v.StringSet()}
	case events.DataTypeNumberSet:
		return &types.AttributeValueMemberNS{Value: v.NumberSet()}
	case events.DataTypeBinarySet:
		return &types.AttributeValueMemberBS{Value: v.BinarySet()}
	case events.DataTypeList:
		l := v.List()
		out := make([]types.AttributeValue, len(l))
		for i, e := range l {
			out[i] = streamValue(e)
		}
		return &types.AttributeValueMemberL{Value: out}
	case events.DataTypeMap:
		return &types.AttributeValueMemberM{Value: streamImage(v.Map())}
	}
	return &types.AttributeValueMemberNULL{Value: true}
}

// textEdited reports whether a record modified a message's text (a
// customer's edit; status moves and reactions leave it).
func textEdited(rec events.DynamoDBEventRecord) bool {
	if rec.EventName != string(events.DynamoDBOperationTypeModify) {
		return false
	}
	n, o := rec.Change.NewImage["text"], rec.Change.OldImage["text"]
	return n.DataType() == events.DataTypeString && (o.DataType() != events.DataTypeString || n.String() != o.String())
}
