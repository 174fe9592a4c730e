package store

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds the filtered reads of the view partitions (custom and
// default views) and the saved views themselves.

// QueryTickets returns the tickets of one index partition that pass the
// query's filter, in the partition's creation order (newest first, or
// oldest first when forward), after the position `after` ("<created>#<id>",
// "" from the start), up to limit of them (0: all), and the position to
// continue from ("" when the partition has no more). It is one Query of
// the partition with the filter as a FilterExpression, continued until
// limit tickets passed it: a page is full whatever the filter leaves out.
// Paging by position needs a creation-ordered partition, so a whole team
// partition (unassigned first) is refused an `after`.
func (s *Store) QueryTickets(ctx context.Context, q helpdesk.TicketQuery, after string, forward bool, limit int32) ([]helpdesk.Ticket, string, error) {
	in, err := s.ticketQuery(q, after)
	if err != nil {
		return nil, "", err
	}
	in.ScanIndexForward = aws.Bool(forward)
	if limit > 0 {
		// DynamoDB's Limit counts the items read, before the filter: read
		// what the page needs, and more when a filter may drop some.
		in.Limit = aws.Int32(limit)
		if in.FilterExpression != nil {
			in.Limit = aws.Int32(max(2*limit, 50))
		}
	}
	out := []helpdesk.Ticket{}
	for {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", fmt.Errorf("query view partition: %w", translate(err))
		}
		var ts []helpdesk.Ticket
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &ts); err != nil {
			return nil, "", fmt.Errorf("decode view partition: %w", err)
		}
		out = append(out, ts...)
		if limit > 0 && len(out) >= int(limit) {
			// A full page gives a position even when the partition ends
			// with it (as ListView does): the next read is then empty.
			out = out[:limit]
			last := out[len(out)-1]
			return out, createdSK(last.CreatedAt, last.ID), nil
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, "", nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// CountTickets counts the tickets of one index partition that pass the
// query's filter, newest first. It is exact (more false) when it read the
// whole partition; it stops after a page once upTo have matched or
// CountReadBudget(upTo) items have been read (a sparse filter over a big
// partition), and then the partition holds at least the count (at most
// upTo). So a count costs at most that many items' reads however big the
// partition (the closed view grows forever). upTo <= 0 counts everything.
func (s *Store) CountTickets(ctx context.Context, q helpdesk.TicketQuery, upTo int) (int, bool, error) {
	in, err := s.ticketQuery(q, "")
	if err != nil {
		return 0, false, err
	}
	in.Select = types.SelectCount
	in.Limit = nil
	in.ScanIndexForward = aws.Bool(false) // newest first, as the in-memory store counts
	n, read := 0, 0
	for {
		if upTo > 0 {
			in.Limit = aws.Int32(int32(CountPageLimit(upTo, read)))
		}
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return 0, false, fmt.Errorf("count view partition: %w", translate(err))
		}
		n += int(page.Count)
		read += int(page.ScannedCount)
		if len(page.LastEvaluatedKey) == 0 {
			return n, false, nil
		}
		if upTo > 0 && (n >= upTo || read >= CountReadBudget(upTo)) {
			return min(n, upTo), true, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// CountPageLimit is how many items the next page of a count up to upTo
// reads, having read `read`: pages of about upTo, so a dense partition
// stops after one page of upTo items, not a whole budget.
func CountPageLimit(upTo, read int) int { return min(max(upTo, 25), CountReadBudget(upTo)-read) }

// CountReadBudget is how many items a count up to upTo reads at most.
func CountReadBudget(upTo int) int { return min(upTo, math.MaxInt32/10) * 10 }

// SortKeys returns the place in the sort `by` (helpdesk.SortKey) of every
// ticket of one index partition that passes the query's filter and comes
// after the position `after` in that sort (ascending when asc), in no
// particular order: the Query of QueryTickets, projected on the id and the
// key, the position in the FilterExpression. A view sorted other than by
// creation reads these, sorts them, and fetches its page with GetTickets;
// the read costs the whole partition (a FilterExpression and a projection
// save transfer, not capacity).
func (s *Store) SortKeys(ctx context.Context, q helpdesk.TicketQuery, by, after string, asc bool) ([]helpdesk.Keyed, error) {
	attr := sortAttr(by)
	beyond := func(key string) bool { return after == "" || (asc && key > after) || (!asc && key < after) }
	in, err := s.ticketQuery(q, "", func(e *expr) string {
		if after == "" {
			return ""
		}
		op := " < "
		if asc {
			op = " > "
		}
		cond := e.name(attr) + op + e.str(after)
		if _, ok := legacySortKey(attr, ""); ok { // a ticket without the key has one made up below
			cond = "attribute_not_exists(" + e.name(attr) + ") OR " + cond // filter() parenthesises an OR
		}
		return cond
	})
	if err != nil {
		return nil, err
	}
	if in.ExpressionAttributeNames == nil {
		in.ExpressionAttributeNames = map[string]string{}
	}
	in.ExpressionAttributeNames["#id"] = "id"
	in.ExpressionAttributeNames["#"+attr] = attr // the name expr gives it
	in.ProjectionExpression = aws.String("#id, #" + attr)
	var out []helpdesk.Keyed
	for {
		page, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("sort keys of a view partition: %w", translate(err))
		}
		for _, it := range page.Items {
			id, _ := it["id"].(*types.AttributeValueMemberS)
			key, _ := it[attr].(*types.AttributeValueMemberS)
			if key == nil && id != nil {
				if made, ok := legacySortKey(attr, id.Value); ok {
					if !beyond(made) {
						continue
					}
					key = &types.AttributeValueMemberS{Value: made}
				}
			}
			if id == nil || key == nil {
				return nil, fmt.Errorf("sort keys of a view partition: a ticket without id or %s", attr)
			}
			out = append(out, helpdesk.Keyed{ID: id.Value, Key: key.Value})
		}
		if len(page.LastEvaluatedKey) == 0 {
			return out, nil
		}
		in.ExclusiveStartKey = page.LastEvaluatedKey
	}
}

// GetTickets reads tickets by id (BatchGetItem, consistent); the missing
// are left out.
func (s *Store) GetTickets(ctx context.Context, ids []string) ([]helpdesk.Ticket, error) {
	byID, err := s.ticketsByID(ctx, ids, true)
	if err != nil {
		return nil, err
	}
	out := make([]helpdesk.Ticket, 0, len(byID))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
			delete(byID, id) // an id given twice, once
		}
	}
	return out, nil
}

// ticketsByID is every batch read of ticket headers: BatchGetItem, 100 a
// call, consistent or not; ids with no ticket are left out.
func (s *Store) ticketsByID(ctx context.Context, ids []string, consistent bool) (map[string]helpdesk.Ticket, error) {
	out := make(map[string]helpdesk.Ticket, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	keys := make([][2]string, len(ids))
	for i, id := range ids {
		keys[i] = [2]string{ticketPK(id), skTicket}
	}
	items, err := s.batchRead(ctx, keys, consistent)
	if err != nil {
		return nil, fmt.Errorf("read tickets: %w", err)
	}
	for _, it := range items {
		var t helpdesk.Ticket
		if err := attributevalue.UnmarshalMap(it, &t); err != nil {
			return nil, fmt.Errorf("decode ticket: %w", err)
		}
		out[t.ID] = t
	}
	return out, nil
}

// ticketQuery is the Query of q's partition after a position, with q's
// filter.
func (s *Store) ticketQuery(q helpdesk.TicketQuery, after string, extra ...func(*expr) string) (*dynamodb.QueryInput, error) {
	index, pkName, skName, pk, prefix := IndexList, "GSI3PK", "GSI3SK", stateViewPK(q.State), ""
	switch {
	case q.Owner != nil:
		index, pkName, skName, pk = IndexOwner, "GSI1PK", "GSI1SK", ownerViewPK(*q.Owner, q.State)
	case q.Team != "":
		index, pkName, skName, pk = IndexTeam, "GSI2PK", "GSI2SK", teamViewPK(q.Team, q.State)
		switch {
		case q.UnassignedOnly:
			prefix = "U#"
		case q.AssignedOnly:
			prefix = "A#"
		}
	}
	e := newExpr()
	key := pkName + " = " + e.value(&types.AttributeValueMemberS{Value: pk})
	if prefix != "" {
		key += " AND begins_with(" + skName + ", " + e.value(&types.AttributeValueMemberS{Value: prefix}) + ")"
	}
	in := &dynamodb.QueryInput{
		TableName:              &s.table,
		IndexName:              aws.String(index),
		KeyConditionExpression: aws.String(key),
	}
	if after != "" {
		id, ok := ParseViewCursor(after, false)
		if !ok || !q.SortedByCreation() {
			return nil, ErrInvalidCursor
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			pkName: &types.AttributeValueMemberS{Value: pk}, skName: &types.AttributeValueMemberS{Value: prefix + after},
			attrPK: &types.AttributeValueMemberS{Value: ticketPK(id)}, attrSK: &types.AttributeValueMemberS{Value: skTicket},
		}
	}
	var more []string
	for _, x := range extra {
		more = append(more, x(e))
	}
	if cond := e.filter(q.Filter, more...); cond != "" {
		in.FilterExpression = aws.String(cond)
	}
	in.ExpressionAttributeValues = e.values
	if len(e.names) > 0 {
		in.ExpressionAttributeNames = e.names
	}
	return in, nil
}

// expr collects an expression's placeholders.
type expr struct {
	names  map[string]string
	values map[string]types.AttributeValue
}

func newExpr() *expr {
	return &expr{names: map[string]string{}, values: map[string]types.AttributeValue{}}
}

func (e *expr) name(attr string) string {
	n := "#" + attr
	e.names[n] = attr
	return n
}

func (e *expr) value(v types.AttributeValue) string {
	p := ":v" + strconv.Itoa(len(e.values))
	e.values[p] = v
	return p
}

func (e *expr) str(v string) string { return e.value(&types.AttributeValueMemberS{Value: v}) }

// anyOf is "attr is one of list", where "" stands for an absent attribute
// (the ticket's optional fields are omitted when empty); "" for no list.
func (e *expr) anyOf(attr string, list []string) string {
	if len(list) == 0 {
		return ""
	}
	n := e.name(attr)
	var ors, vals []string
	for _, v := range list {
		if v == "" {
			ors = append(ors, "attribute_not_exists("+n+")")
		} else {
			vals = append(vals, e.str(v))
		}
	}
	if len(vals) > 0 {
		ors = append(ors, n+" IN ("+strings.Join(vals, ", ")+")")
	}
	return strings.Join(ors, " OR ")
}

// within is "attr's sortable time is in r", as and-ed conditions.
func (e *expr) within(attr string, r *helpdesk.TimeRange) []string {
	if r == nil {
		return nil
	}
	var ands []string
	if !r.From.IsZero() {
		ands = append(ands, e.name(attr)+" >= "+e.str(sortTime(r.From)))
	}
	if !r.To.IsZero() {
		ands = append(ands, e.name(attr)+" < "+e.str(sortTime(r.To)))
	}
	return ands
}

// filter is f as a FilterExpression ("" for no condition): and-ed
// conditions, an or of several in parentheses, and no other parentheses
// (DynamoDB refuses redundant ones).
func (e *expr) filter(f helpdesk.TicketFilter, extra ...string) string {
	priorities := make([]string, len(f.Priorities))
	for i, p := range f.Priorities {
		priorities[i] = string(p)
	}
	conds := []string{
		e.anyOf("status", f.Statuses),
		e.anyOf("priority", priorities),
		e.anyOf("channelId", f.Channels),
		e.anyOf("ownerId", f.Owners),
		e.anyOf("teamId", f.Teams),
		e.anyOf("category", f.Categories),
	}
	conds = append(conds, e.within("vCreated", f.Created)...)
	conds = append(conds, e.within("vUpdated", f.Updated)...)
	conds = append(conds, e.within("vLastCustomer", f.LastCustomerMessage)...)
	conds = append(conds, e.within("vDue", f.Due)...)
	if f.Unread != nil {
		conds = append(conds, e.name("unread")+" = "+e.value(&types.AttributeValueMemberBOOL{Value: *f.Unread}))
	}
	if f.TeamIn != nil {
		if len(f.TeamIn) == 0 { // in no team: nothing passes
			conds = append(conds, "attribute_exists("+e.name("teamId")+")", "attribute_not_exists("+e.name("teamId")+")")
		} else {
			conds = append(conds, e.anyOf("teamId", f.TeamIn))
		}
	}
	if f.OwnerIs != "" {
		conds = append(conds, e.name("ownerId")+" = "+e.str(f.OwnerIs))
	}
	if f.OwnerNot != "" {
		conds = append(conds, "attribute_not_exists("+e.name("ownerId")+") OR "+e.name("ownerId")+" <> "+e.str(f.OwnerNot))
	}
	var ands []string
	for _, c := range append(conds, extra...) {
		if c != "" {
			ands = append(ands, c)
		}
	}
	if len(ands) == 1 {
		return ands[0]
	}
	for i, c := range ands {
		if strings.Contains(c, " OR ") {
			ands[i] = "(" + c + ")"
		}
	}
	return strings.Join(ands, " AND ")
}

// viewKeys places a saved view: its own item, listed under its holder.
func viewKeys(v helpdesk.View) keyAttrs {
	return keyAttrs{PK: viewPK(v.ID), SK: skView, GSI3PK: viewsPK(v.Holder()), GSI3SK: viewsSK(v.Name, v.ID)}
}

// PutView creates or replaces a saved view.
func (s *Store) PutView(ctx context.Context, v helpdesk.View) error {
	return s.putEntity(ctx, viewKeys(v), v)
}

// GetView reads a saved view, or ErrNotFound.
func (s *Store) GetView(ctx context.Context, id string) (helpdesk.View, error) {
	var v helpdesk.View
	if err := s.get(ctx, viewPK(id), skView, &v); err != nil {
		return v, fmt.Errorf("view %s: %w", id, err)
	}
	return v, nil
}

// DeleteView removes a saved view; a missing one is no error.
func (s *Store) DeleteView(ctx context.Context, id string) error {
	// One delete in a transaction: the store's DB port has no DeleteItem.
	del := types.TransactWriteItem{Delete: &types.Delete{TableName: &s.table, Key: itemKey(viewPK(id), skView)}}
	if _, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{del}}); err != nil {
		return fmt.Errorf("delete view %s: %w", id, translate(err))
	}
	return nil
}

// ListViews returns the saved views of each holder ("agent:<id>",
// "team:<id>"), holder by holder, each by name: one Query per holder.
func (s *Store) ListViews(ctx context.Context, holders []string) ([]helpdesk.View, error) {
	views := []helpdesk.View{}
	for _, h := range holders {
		vs, err := listPartition[helpdesk.View](ctx, s, viewsPK(h))
		if err != nil {
			return nil, err
		}
		views = append(views, vs...)
	}
	return views, nil
}
