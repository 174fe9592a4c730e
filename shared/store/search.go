package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
)

// This file holds the search index (an inverted index in the table: one
// small item per term and ticket, or term and contact) and the contact
// directory's list and edit. docs/architecture.md, "Search", has the
// design and its measured cost.

// TicketHit is one ticket found under a term, and in which field.
type TicketHit struct {
	TicketID string
	Field    search.Field
}

// ContactHit is one contact found under a term, and in which field.
type ContactHit struct {
	ContactID string
	Field     search.Field
}

// termItem is one term of one ticket or contact: keys only, so each costs
// one write unit.
type termItem struct {
	PK string `dynamodbav:"PK"`
	SK string `dynamodbav:"SK"`
}

// termsItem records which terms a ticket has in the index (4-byte hashes,
// sorted), so a message adds only the terms the ticket lacks.
type termsItem struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	Hashes []byte `dynamodbav:"h"`
}

// TermHash is the 4-byte hash a ticket's record keeps of one of its terms.
// A collision (about 1 in 10,000 for a ticket's 1,500 terms) leaves one
// term of that ticket unindexed.
func TermHash(t search.Term) uint32 {
	h := fnv.New32a()
	h.Write([]byte(t.Text))
	h.Write([]byte{0})
	h.Write([]byte(t.Field))
	return h.Sum32()
}

// IndexTicket adds terms of ticket id to the index, each once per ticket
// and field: the ticket's record says which it has (one read), the missing
// ones are written (one unit each, 25 a batch), then the record. Running it
// again writes nothing: it is idempotent. It returns how many term items
// it wrote.
func (s *Store) IndexTicket(ctx context.Context, id string, terms []search.Term) (int, error) {
	var rec termsItem
	err := s.get(ctx, termsPK(id), skTerms, &rec)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, fmt.Errorf("index ticket %s: %w", id, err)
	}
	have := decodeHashes(rec.Hashes)
	var reqs []types.WriteRequest
	for _, t := range terms {
		h := TermHash(t)
		if _, ok := slices.BinarySearch(have, h); ok || len(have) >= search.MaxTermsPerTicket {
			continue
		}
		have = insertSorted(have, h)
		reqs = append(reqs, putRequest(termPK(t.Text), termSK(id, string(t.Field))))
	}
	if len(reqs) == 0 {
		return 0, nil
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return 0, fmt.Errorf("index ticket %s: %w", id, err)
	}
	// Written after the terms: a crash between leaves the record short, and
	// the retry rewrites the same term items (idempotent).
	av, err := attributevalue.MarshalMap(termsItem{PK: termsPK(id), SK: skTerms, Hashes: encodeHashes(have)})
	if err != nil {
		return 0, fmt.Errorf("encode terms of %s: %w", id, err)
	}
	if err := s.put(ctx, av); err != nil {
		return 0, fmt.Errorf("index ticket %s: %w", id, err)
	}
	return len(reqs), nil
}

// IndexContact writes a contact's new terms and deletes the ones it no
// longer has (the caller diffs the contact before and after an edit).
func (s *Store) IndexContact(ctx context.Context, contactID string, add, remove []search.Term) error {
	var reqs []types.WriteRequest
	for _, t := range remove {
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: itemKey(contactTermPK(t.Text), contactTermSK(contactID, string(t.Field)))}})
	}
	for _, t := range add {
		reqs = append(reqs, putRequest(contactTermPK(t.Text), contactTermSK(contactID, string(t.Field))))
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("index contact %s: %w", contactID, err)
	}
	return nil
}

// FindTickets returns up to limit tickets indexed under term, newest first
// (one Query of one partition, keys only).
func (s *Store) FindTickets(ctx context.Context, term string, limit int32) ([]TicketHit, error) {
	items, err := s.queryTerm(ctx, termPK(term), limit)
	if err != nil {
		return nil, err
	}
	hits := make([]TicketHit, 0, len(items))
	for _, it := range items {
		if id, f, ok := ticketOfTermSK(it.SK); ok {
			hits = append(hits, TicketHit{TicketID: id, Field: search.Field(f)})
		}
	}
	return hits, nil
}

// FindContacts returns up to limit contacts indexed under term.
func (s *Store) FindContacts(ctx context.Context, term string, limit int32) ([]ContactHit, error) {
	items, err := s.queryTerm(ctx, contactTermPK(term), limit)
	if err != nil {
		return nil, err
	}
	hits := make([]ContactHit, 0, len(items))
	for _, it := range items {
		if i := lastHash(it.SK); i > 0 {
			hits = append(hits, ContactHit{ContactID: it.SK[:i], Field: search.Field(it.SK[i+1:])})
		}
	}
	return hits, nil
}

func lastHash(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '#' {
			return i
		}
	}
	return -1
}

func (s *Store) queryTerm(ctx context.Context, pk string, limit int32) ([]termItem, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		Limit:                     aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", pk, translate(err))
	}
	var items []termItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, fmt.Errorf("decode %s: %w", pk, err)
	}
	return items, nil
}

// GetTicketHeaders reads tickets by id (BatchGetItem, 100 a call,
// eventually consistent: a search result may be a second behind, for half
// the read units); ids with no ticket are left out.
func (s *Store) GetTicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error) {
	return s.ticketsByID(ctx, ids, false)
}

// GetContacts reads contacts by id (eventually consistent, like
// GetTicketHeaders); ids with no contact are left out.
func (s *Store) GetContacts(ctx context.Context, ids []string) (map[string]helpdesk.Contact, error) {
	keys := make([][2]string, len(ids))
	for i, id := range ids {
		keys[i] = [2]string{contactPK(id), skContact}
	}
	items, err := s.batchRead(ctx, keys, false)
	if err != nil {
		return nil, fmt.Errorf("get contacts: %w", err)
	}
	out := make(map[string]helpdesk.Contact, len(items))
	for _, av := range items {
		var c helpdesk.Contact
		if err := attributevalue.UnmarshalMap(av, &c); err != nil {
			return nil, fmt.Errorf("decode contact: %w", err)
		}
		out[c.ID] = c
	}
	return out, nil
}

// ContactTickets returns up to limit of a contact's tickets, newest first
// (GSI4, the portal's index).
func (s *Store) ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexContact),
		KeyConditionExpression:    aws.String("GSI4PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: contactViewPK(contactID)}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("tickets of contact %s: %w", contactID, translate(err))
	}
	tickets := make([]helpdesk.Ticket, 0, len(out.Items))
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &tickets); err != nil {
		return nil, fmt.Errorf("decode tickets of contact %s: %w", contactID, err)
	}
	return tickets, nil
}

// ListContacts returns up to limit contacts, newest first (GSI3
// CONTACTS), after the position after, and the position to continue from.
func (s *Store) ListContacts(ctx context.Context, after string, limit int32) ([]helpdesk.Contact, string, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexList),
		KeyConditionExpression:    aws.String("GSI3PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pkContacts}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(limit),
	}
	if after != "" {
		id, ok := ParseViewCursor(after, false)
		if !ok {
			return nil, "", ErrInvalidCursor
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			"GSI3PK": &types.AttributeValueMemberS{Value: pkContacts}, "GSI3SK": &types.AttributeValueMemberS{Value: after},
			attrPK: &types.AttributeValueMemberS{Value: contactPK(id)}, attrSK: &types.AttributeValueMemberS{Value: skContact},
		}
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("list contacts: %w", translate(err))
	}
	contacts := make([]helpdesk.Contact, 0, len(out.Items))
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &contacts); err != nil {
		return nil, "", fmt.Errorf("decode contacts: %w", err)
	}
	next := ""
	if sk, ok := out.LastEvaluatedKey["GSI3SK"].(*types.AttributeValueMemberS); ok {
		next = sk.Value
	}
	return contacts, next, nil
}

// ErrContactKeyTaken: an edit gives a contact an email address or phone
// number that is another contact's.
var ErrContactKeyTaken = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "contact_key_taken", Message: "another contact has this email address or phone number"}

// UpdateContact replaces contact before (as read) with after, in one
// transaction: the contact conditioned on the version read
// (ErrVersionChanged otherwise), lookups of a new email address or phone
// number created unless another contact has them (ErrContactKeyTaken),
// lookups of the old ones removed if still this contact's.
func (s *Store) UpdateContact(ctx context.Context, before, after helpdesk.Contact) error {
	var b txBuilder
	item := contactItem{keyAttrs: contactKeys(after), Contact: after}
	at := b.put(item, "attribute_exists(PK) AND (attribute_not_exists(#ver) OR #ver = :ver)",
		map[string]types.AttributeValue{":ver": versionValue(before.Version)})
	b.items[at].Put.ExpressionAttributeNames = map[string]string{"#ver": attrVersion}
	oldKeys, newKeys := ContactLookupKeys(before), ContactLookupKeys(after)
	me := map[string]types.AttributeValue{":me": &types.AttributeValueMemberS{Value: after.ID}}
	first := len(b.items)
	for _, k := range newKeys {
		if !slices.Contains(oldKeys, k) {
			b.put(contactKeyItem{keyAttrs: keyAttrs{PK: contactKeyPK(k), SK: skContactKey}, Key: k, ContactID: after.ID},
				"attribute_not_exists(PK) OR contactId = :me", me)
		}
	}
	last := len(b.items)
	for _, k := range oldKeys {
		if !slices.Contains(newKeys, k) {
			// Only if still this contact's: never remove another's lookup.
			b.add(types.TransactWriteItem{Delete: &types.Delete{Key: itemKey(contactKeyPK(k), skContactKey),
				ConditionExpression: aws.String("attribute_not_exists(PK) OR contactId = :me"), ExpressionAttributeValues: me}})
		}
	}
	if b.err != nil {
		return fmt.Errorf("update contact %s: %w", after.ID, b.err)
	}
	err := s.transact(ctx, b.items, func(c cancellation) error {
		switch {
		case c.failed[at]:
			return ErrVersionChanged
		case c.anyBetween(first, last):
			return ErrContactKeyTaken
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("update contact %s: %w", after.ID, err)
	}
	return nil
}

func putRequest(pk, sk string) types.WriteRequest {
	return types.WriteRequest{PutRequest: &types.PutRequest{Item: itemKey(pk, sk)}}
}

// batchWrite writes reqs 25 a call, retrying what DynamoDB leaves unprocessed.
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for attempt := 0; len(reqs) > 0; {
		n := min(len(reqs), 25)
		out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: reqs[:n]}})
		if err != nil {
			return translate(err)
		}
		reqs = reqs[n:]
		if left := out.UnprocessedItems[s.table]; len(left) > 0 {
			if attempt++; attempt > 10 {
				return fmt.Errorf("%w: unprocessed writes after %d attempts", ErrContention, attempt)
			}
			reqs = append(left, reqs...)
		}
	}
	return nil
}

func decodeHashes(b []byte) []uint32 {
	out := make([]uint32, 0, len(b)/4+8)
	for i := 0; i+4 <= len(b); i += 4 {
		out = append(out, binary.BigEndian.Uint32(b[i:]))
	}
	return out
}

func encodeHashes(hs []uint32) []byte {
	b := make([]byte, 4*len(hs))
	for i, h := range hs {
		binary.BigEndian.PutUint32(b[4*i:], h)
	}
	return b
}

func insertSorted(hs []uint32, h uint32) []uint32 {
	i, _ := slices.BinarySearch(hs, h)
	return slices.Insert(hs, i, h)
}
