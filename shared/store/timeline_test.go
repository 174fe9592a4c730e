package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// countingDB counts the reads a call makes and the items they return.
type countingDB struct {
	store.DB
	mu                   sync.Mutex
	gets, queries, items int
}

func (c *countingDB) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	c.mu.Lock()
	c.gets++
	c.mu.Unlock()
	return c.DB.GetItem(ctx, in, opts...)
}

func (c *countingDB) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	out, err := c.DB.Query(ctx, in, opts...)
	c.mu.Lock()
	c.queries++
	if out != nil {
		c.items += len(out.Items)
	}
	c.mu.Unlock()
	return out, err
}

// A timeline page reads a page (plus one) per stream, not the conversation:
// on a ticket of 60 messages with two tickets merged into it, a page of 10
// is one GetItem per merged ticket and one Query per stream of each
// partition, each limited to 11 items.
func TestTimelinePageReadsAPageNotTheConversation(t *testing.T) {
	testbed.AWS(t, "DYNAMODB")
	db, table := testbed.Table(t)
	counting := &countingDB{DB: db}
	s := store.New(counting, table, store.WithClock(func() time.Time { return t0 }))
	ctx := context.Background()
	ch := helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}}
	open := func(id string, at time.Time) helpdesk.Ticket {
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
			ProviderMessageID: "pm-" + id, ReceivedAt: at, Sender: helpdesk.Sender{Email: id + "@example.com"}, Subject: "q", Text: "q"}
		c, err := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Channel: ch, ContactID: "c" + id, SenderKey: "k" + id,
			Message: helpdesk.Message{ID: "m-" + id, Direction: helpdesk.Inbound, ChannelID: "web", Text: "q", CreatedAt: at}},
			helpdesk.DefaultSettings(), at)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		return *c.Ticket()
	}
	open("1", t0)
	open("2", t0.Add(time.Second))
	open("3", t0.Add(2*time.Second))
	for i := range 59 {
		tk, _ := s.GetTicketHeader(ctx, "1")
		c, err := ticket.Append(tk, helpdesk.Message{ID: fmt.Sprintf("m-1-%02d", i), Direction: helpdesk.Inbound, ChannelID: "web",
			Text: "more", CreatedAt: t0.Add(time.Duration(10+i) * time.Second)}, "k1", nil, helpdesk.DefaultSettings(), t0.Add(time.Duration(10+i)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range [][2]string{{"2", "3"}, {"1", "2"}} {
		p, _ := s.GetTicketHeader(ctx, m[0])
		sec, _ := s.GetTicketHeader(ctx, m[1])
		c, err := ticket.Merge(p, sec, "ann", t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	tk, _ := s.GetTicketHeader(ctx, "1")
	*counting = countingDB{DB: db}
	page, next, err := s.Timeline(ctx, tk, helpdesk.TimelineQuery{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 10 || next == "" {
		t.Fatalf("page of %d, next %q", len(page), next)
	}
	if counting.gets != 2 || counting.queries != 6 || counting.items > 6*11 {
		t.Fatalf("a page read %d items in %d queries and %d gets, want 2 gets, 6 queries, at most 66 items", counting.items, counting.queries, counting.gets)
	}
	t.Logf("a page of 10 of a 60-message ticket with 2 merged: %d GetItem, %d Query, %d items read", counting.gets, counting.queries, counting.items)
}
