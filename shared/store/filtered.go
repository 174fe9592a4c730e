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
)

// Filtered mail: FILTERED / <received>#<ses id> (keys.go), the mail
// email-inbound kept out of the tickets, newest first, for 90 days.

// ErrAlreadyPromoted: the filtered mail was made a ticket already.
var ErrAlreadyPromoted = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "already_promoted",
	Message: "this mail was made a ticket already"}

// MaxFilteredRead bounds the items one ListFiltered reads when a kind
// filter drops most of them: the page comes back short, with its position.
const MaxFilteredRead = 1000

// filteredItem is the stored form of a filtered mail. Attribute names are
// short-ish: they count towards the item's size, and so its write units.
type filteredItem struct {
	keyAttrs
	SESID       string     `dynamodbav:"sesId"`
	ReceivedAt  time.Time  `dynamodbav:"receivedAt"`
	Kind        string     `dynamodbav:"kind"`
	Reason      string     `dynamodbav:"reason,omitempty"`
	SenderEmail string     `dynamodbav:"senderEmail,omitempty"`
	SenderName  string     `dynamodbav:"senderName,omitempty"`
	Subject     string     `dynamodbav:"subject,omitempty"`
	MessageID   string     `dynamodbav:"messageId,omitempty"`
	ChannelID   string     `dynamodbav:"channelId,omitempty"`
	Recipients  []string   `dynamodbav:"recipients,omitempty"`
	RawKey      string     `dynamodbav:"rawKey"`
	RawLocation string     `dynamodbav:"rawLocation"`
	ExpiresAt   int64      `dynamodbav:"expiresAt"`
	PromotedBy  string     `dynamodbav:"promotedBy,omitempty"`
	PromotedAt  *time.Time `dynamodbav:"promotedAt,omitempty"`
	PromotedMID string     `dynamodbav:"promotedMessageId,omitempty"`
}

func newFilteredItem(f helpdesk.FilteredMail) filteredItem {
	f.Bound()
	if f.PromotedAt != nil {
		at := f.PromotedAt.UTC()
		f.PromotedAt = &at
	}
	return filteredItem{keyAttrs: keyAttrs{PK: filteredPK, SK: filteredSK(f.ReceivedAt, f.SESMessageID)},
		SESID: f.SESMessageID, ReceivedAt: f.ReceivedAt.UTC(), Kind: f.Kind, Reason: f.Reason,
		SenderEmail: f.Sender.Email, SenderName: f.Sender.Name, Subject: f.Subject, MessageID: f.MessageID,
		ChannelID: f.ChannelID, Recipients: f.Recipients, RawKey: f.RawKey, RawLocation: f.RawLocation,
		ExpiresAt: f.ExpiresAt.Unix(), PromotedBy: f.PromotedBy, PromotedAt: f.PromotedAt, PromotedMID: f.PromotedMessageID}
}

func (it filteredItem) mail() helpdesk.FilteredMail {
	return helpdesk.FilteredMail{SESMessageID: it.SESID, ReceivedAt: it.ReceivedAt, Kind: it.Kind, Reason: it.Reason,
		Sender: helpdesk.Sender{Email: it.SenderEmail, Name: it.SenderName}, Subject: it.Subject, MessageID: it.MessageID,
		ChannelID: it.ChannelID, Recipients: it.Recipients, RawKey: it.RawKey, RawLocation: it.RawLocation,
		ExpiresAt: time.Unix(it.ExpiresAt, 0).UTC(), PromotedBy: it.PromotedBy, PromotedAt: it.PromotedAt,
		PromotedMessageID: it.PromotedMID}
}

// FilteredPosition is a filtered mail's place in the list (a ListFiltered
// position).
func FilteredPosition(f helpdesk.FilteredMail) string {
	return filteredSK(f.ReceivedAt, f.SESMessageID)
}

// RecordFiltered records a filtered mail. The first record of a mail
// stays: a redelivery of the same mail (same received time and SES id)
// changes nothing, so it never undoes a promotion.
func (s *Store) RecordFiltered(ctx context.Context, f helpdesk.FilteredMail) error {
	av, err := attributevalue.MarshalMap(newFilteredItem(f))
	if err != nil {
		return fmt.Errorf("encode filtered mail %s: %w", f.SESMessageID, err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	var exists *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("record filtered mail %s: %w", f.SESMessageID, translate(err))
	}
	return nil
}

// GetFiltered reads one filtered mail; ErrNotFound if there is none.
func (s *Store) GetFiltered(ctx context.Context, received time.Time, sesID string) (helpdesk.FilteredMail, error) {
	var it filteredItem
	if err := s.get(ctx, filteredPK, filteredSK(received, sesID), &it); err != nil {
		return helpdesk.FilteredMail{}, err
	}
	return it.mail(), nil
}

// ListFiltered returns up to limit filtered mails, newest first, after the
// position `after` ("" from the start), of one kind ("" for every kind),
// and the position to continue from ("" at the end; a full page always
// gives one, whose page may be empty). With a kind, it reads until the
// page is full or MaxFilteredRead items were read, so a page may be short
// (even empty) with a position to continue from.
func (s *Store) ListFiltered(ctx context.Context, kind, after string, limit int32) ([]helpdesk.FilteredMail, string, error) {
	if after != "" && !ValidPosition(after) {
		return nil, "", ErrInvalidCursor
	}
	out := make([]helpdesk.FilteredMail, 0, limit)
	read := 0
	for {
		in := &dynamodb.QueryInput{
			TableName:                 &s.table,
			KeyConditionExpression:    aws.String("PK = :pk"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: filteredPK}},
			ScanIndexForward:          aws.Bool(false),
			Limit:                     aws.Int32(limit - int32(len(out))),
		}
		if kind != "" {
			in.FilterExpression = aws.String("kind = :kind")
			in.ExpressionAttributeValues[":kind"] = &types.AttributeValueMemberS{Value: kind}
			// Read ahead: a page of a rare kind reads past the others.
			in.Limit = aws.Int32(min(int32(MaxFilteredRead-read), max(limit-int32(len(out)), 100)))
		}
		if after != "" {
			in.ExclusiveStartKey = itemKey(filteredPK, after)
		}
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("list filtered mail: %w", translate(err))
		}
		var items []filteredItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, "", fmt.Errorf("decode filtered mail: %w", err)
		}
		read += int(page.ScannedCount)
		after = ""
		if sk, ok := page.LastEvaluatedKey[attrSK].(*types.AttributeValueMemberS); ok {
			after = sk.Value
		}
		for _, it := range items {
			out = append(out, it.mail())
			if len(out) == int(limit) {
				// Full: continue after the last one given (the next page
				// may be empty).
				return out, it.SK, nil
			}
		}
		if after == "" || read >= MaxFilteredRead {
			return out, after, nil
		}
	}
}

// PromoteFiltered marks a filtered mail made a ticket (f as read, with
// PromotedBy, PromotedAt and PromotedMessageID set) and writes its audit
// entry, in one transaction: ErrNotFound if it is gone,
// ErrAlreadyPromoted if it was promoted meanwhile.
func (s *Store) PromoteFiltered(ctx context.Context, f helpdesk.FilteredMail, audit helpdesk.AuditEntry) error {
	if f.PromotedAt == nil || f.PromotedBy == "" {
		return fmt.Errorf("promote filtered mail %s: who and when are required", f.SESMessageID)
	}
	var b txBuilder
	// The record changes only by this mark, so putting it back whole loses nothing.
	b.put(newFilteredItem(f), "attribute_exists(PK) AND attribute_not_exists(promotedAt)", nil)
	b.putNew(newAuditItem(audit))
	if b.err != nil {
		return b.err
	}
	return s.transact(ctx, b.items, func(cn cancellation) error {
		if !cn.failed[0] {
			return nil
		}
		if _, err := s.GetFiltered(ctx, f.ReceivedAt, f.SESMessageID); errors.Is(err, ErrNotFound) {
			return fmt.Errorf("filtered mail %s: %w", f.SESMessageID, ErrNotFound)
		}
		return fmt.Errorf("promote filtered mail %s: %w", f.SESMessageID, ErrAlreadyPromoted)
	})
}
