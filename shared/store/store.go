// Package store is Stackdesk's access to its single DynamoDB table: item
// encodings, keys (keys.go), conditional writes and transactions. It makes no
// decisions; callers such as ingest decide and retry. Every AWS error is
// translated here into the helpdesk error vocabulary.
package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// DB is the subset of the DynamoDB client the store uses.
type DB interface {
	GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
}

// Store reads and writes the tenant's table.
type Store struct {
	db    DB
	table string
	now   func() time.Time
}

// Option configures a Store.
type Option func(*Store)

// WithClock injects the clock used for dedupe expiry and timestamps the store sets.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// New returns a Store over table.
func New(db DB, table string, opts ...Option) *Store {
	s := &Store{db: db, table: table, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Errors a caller decides on: the ticket model's store contract (see
// ticket.ErrDuplicate and the others), named here too for callers of the
// store's own methods. Compare them with errors.Is.
var (
	ErrDuplicate      = ticket.ErrDuplicate
	ErrThreadTaken    = ticket.ErrThreadTaken
	ErrContactTaken   = ticket.ErrContactTaken
	ErrContention     = ticket.ErrContention
	ErrLoadChanged    = ticket.ErrLoadChanged
	ErrVersionChanged = ticket.ErrVersionChanged
	ErrNotFound       = helpdesk.ErrNotFound
	// ErrExists: a Create method found the item already there and kept it
	// (seeding treats that as done; an admin's changes are never undone).
	ErrExists = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "exists", Message: "already exists"}
)

func (s *Store) get(ctx context.Context, pk, sk string, out any) error {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      &s.table,
		Key:            itemKey(pk, sk),
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		return fmt.Errorf("get %s: %w", pk, translate(err))
	}
	if res.Item == nil {
		return ErrNotFound
	}
	if err := attributevalue.UnmarshalMap(res.Item, out); err != nil {
		return fmt.Errorf("decode %s: %w", pk, err)
	}
	return nil
}

func (s *Store) put(ctx context.Context, av map[string]types.AttributeValue) error {
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("put %v: %w", av[attrPK], translate(err))
	}
	return nil
}

func itemKey(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: pk},
		attrSK: &types.AttributeValueMemberS{Value: sk},
	}
}

// translate maps SDK errors that are not the caller's to an unavailable error
// when DynamoDB is throttling or down, and leaves the rest as they are
// (internal). The SDK has already retried throttles by the time we see them.
func translate(err error) error {
	var (
		throttle *types.ProvisionedThroughputExceededException
		limit    *types.RequestLimitExceeded
		inProg   *types.TransactionInProgressException
	)
	switch {
	case errors.As(err, &throttle), errors.As(err, &limit), errors.As(err, &inProg):
		return fmt.Errorf("%w: %v", &helpdesk.Error{Code: helpdesk.EUnavailable, Reason: "throttled", Message: "the table is busy, retry"}, err)
	}
	return err
}

// cancellation explains a cancelled transaction: which of its items failed a
// condition (by index) and whether any failed through contention.
type cancellation struct {
	failed     map[int]bool
	contention bool
}

func cancelled(err error) (cancellation, bool) {
	var tce *types.TransactionCanceledException
	if !errors.As(err, &tce) {
		var conflict *types.TransactionConflictException
		if errors.As(err, &conflict) {
			return cancellation{contention: true}, true
		}
		return cancellation{}, false
	}
	c := cancellation{failed: map[int]bool{}}
	for i, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "ConditionalCheckFailed":
			c.failed[i] = true
		case "TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded":
			c.contention = true
		}
	}
	return c, true
}
