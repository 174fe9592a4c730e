package localrun

import (
	"context"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/lambdax"
)

// withStream stands in for the table's stream, which feeds the search
// indexer on AWS: DynamoDB Local keeps the stream records of every table
// of the emulator in one unindexed store and slows every test down, so
// the local stack's tables have none. Instead, each successful write made
// with the returned configuration hands the indexer the messages, tickets
// and contacts it put, as the stream's filter would (the indexer itself
// writes with cfg, unobserved). What the stand-in lacks: the image before
// a write, so a contact's removed terms stay in the local index. The keys
// a write deleted go to removed (spam-cleanup's mapping, spamcleanup.go).
func withStream(cfg aws.Config, ix lambdax.Indexer, removed func(ctx context.Context, params, result any), log *slog.Logger) aws.Config {
	out := cfg.Copy()
	out.APIOptions = append(slices.Clone(cfg.APIOptions), func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("LocalTableStream",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				res, md, err := next.HandleInitialize(ctx, in)
				if err == nil {
					if cs := written(in.Parameters); len(cs) > 0 {
						if err := ix.ApplyAll(ctx, cs); err != nil {
							log.ErrorContext(ctx, "local stream: index", "error", err)
						}
					}
					removed(ctx, in.Parameters, res.Result)
				}
				return res, md, err
			}), middleware.After)
	})
	return out
}

// written returns what a successful write put, as index changes.
func written(params any) []index.Change {
	var items []map[string]types.AttributeValue
	switch in := params.(type) {
	case *dynamodb.PutItemInput:
		items = append(items, in.Item)
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			if it.Put != nil {
				items = append(items, it.Put.Item)
			}
		}
	}
	var cs []index.Change
	for _, item := range items {
		sk, _ := item["SK"].(*types.AttributeValueMemberS)
		if sk == nil {
			continue
		}
		var c index.Change
		switch {
		case strings.HasPrefix(sk.Value, "MSG#"):
			c.Message = decode[helpdesk.Message](item)
		case sk.Value == "TICKET":
			c.Ticket = decode[helpdesk.Ticket](item)
		case sk.Value == "CONTACT":
			c.Contact = decode[helpdesk.Contact](item)
		default:
			continue
		}
		if c.Message != nil || c.Ticket != nil || c.Contact != nil {
			cs = append(cs, c)
		}
	}
	return cs
}

func decode[T any](item map[string]types.AttributeValue) *T {
	var v T
	if attributevalue.UnmarshalMap(item, &v) != nil {
		return nil
	}
	return &v
}
