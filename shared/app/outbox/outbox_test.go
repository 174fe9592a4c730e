package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var t0 = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// queue is an outbound queue that records what it is sent and refuses
// the bodies it is told to.
type queue struct {
	mu     sync.Mutex
	sent   []string
	refuse map[string]bool
}

var errRefused = errors.New("queue refused the job")

func (q *queue) Publish(_ context.Context, body string) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.refuse[body] {
		return errRefused
	}
	q.sent = append(q.sent, body)
	return nil
}

func (q *queue) published() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Sorted(slices.Values(q.sent))
}

// withJobs commits ticket id, last changed at `at`, with jobs in its
// outbox (as a change that queued them and whose committer died), and
// returns the jobs' bodies.
func withJobs(t *testing.T, st testbed.Store, id string, at time.Time, jobs ...string) []string {
	t.Helper()
	tk := helpdesk.Ticket{ID: id, Subject: "s", Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
		Type: helpdesk.TypeEmailOther, ChannelID: "web", ChannelKind: helpdesk.ChannelForm, ContactID: "c",
		CreatedAt: at, UpdatedAt: at, OutboxAt: at, Version: 1, Outbox: map[string]string{}}
	var bodies []string
	for _, j := range jobs {
		body := fmt.Sprintf(`{"kind":"test","payload":%q}`, id+"/"+j)
		tk.Outbox[j] = body
		bodies = append(bodies, body)
	}
	if err := st.Commit(context.Background(), ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
		t.Fatal(err)
	}
	return bodies
}

func pendingJobs(t *testing.T, st testbed.Store, id string) []string {
	t.Helper()
	box, err := st.PendingOutbox(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return slices.Sorted(maps.Values(box))
}

// Flush publishes what a ticket has pending and clears it; a job the queue
// refuses stays pending with any not yet published, what was published is
// cleared; a ticket deleted since has nothing to flush.
func TestFlushPublishesThenClears(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		st := backend.Open(t, nil)
		ctx := context.Background()
		bodies := withJobs(t, st, "1", t0, "j1", "j2", "j3")
		q := &queue{refuse: map[string]bool{bodies[1]: true}}
		if err := outbox.Flush(ctx, st, q, "1", nil); !errors.Is(err, errRefused) {
			t.Fatalf("Flush with a refused job = %v, want the queue's error", err)
		}
		left := pendingJobs(t, st, "1")
		if !slices.Contains(left, bodies[1]) || len(left)+len(q.published()) != 3 {
			t.Fatalf("after a refusal: pending %v, published %v; want the refused job pending, the published cleared", left, q.published())
		}
		for _, b := range q.published() {
			if slices.Contains(left, b) {
				t.Fatalf("job %s published and still pending", b)
			}
		}

		q.refuse = nil
		if err := outbox.Flush(ctx, st, q, "1", nil); err != nil {
			t.Fatal(err)
		}
		if got := q.published(); !slices.Equal(got, slices.Sorted(slices.Values(bodies))) {
			t.Fatalf("published %v, want each job once: %v", got, bodies)
		}
		if left := pendingJobs(t, st, "1"); len(left) != 0 {
			t.Fatalf("pending after the flush: %v", left)
		}
		if err := outbox.Flush(ctx, st, q, "1", nil); err != nil || len(q.published()) != 3 {
			t.Fatalf("a second flush: %v, %d published", err, len(q.published()))
		}
		if err := outbox.Flush(ctx, st, q, "404", nil); err != nil {
			t.Fatalf("Flush of a deleted ticket = %v, want nil", err)
		}
		if err := outbox.Flush(ctx, st, nil, "1", nil); err != nil {
			t.Fatalf("Flush of an empty outbox without a queue = %v, want nil", err)
		}
	})
}

// The relay publishes the outboxes older than its grace period, oldest
// first, batch after batch; a ticket whose jobs the queue refuses is left
// for the next sweep and the others go on.
func TestRelayPublishesWhatCommittersLeft(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		st := backend.Open(t, nil)
		ctx := context.Background()
		const old = 120 // more than one batch of the outbox index
		var want []string
		for i := range old {
			want = append(want, withJobs(t, st, fmt.Sprintf("old%03d", i), t0.Add(time.Duration(i)*time.Millisecond), "j")...)
		}
		refused := withJobs(t, st, "refused", t0, "j")
		recent := withJobs(t, st, "recent", t0.Add(2*time.Minute), "j")
		q := &queue{refuse: map[string]bool{refused[0]: true}}
		relay := &outbox.Relay{Store: st, Publisher: q, Now: func() time.Time { return t0.Add(150 * time.Second) }, Grace: time.Minute, Log: quiet}

		flushed, err := relay.Sweep(ctx)
		if !errors.Is(err, errRefused) || flushed != old {
			t.Fatalf("Sweep = %d, %v; want %d flushed and the refusal", flushed, err, old)
		}
		if got := q.published(); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Fatalf("published %d jobs, want the %d old tickets' jobs", len(got), len(want))
		}
		if got := pendingJobs(t, st, "refused"); !slices.Equal(got, refused) {
			t.Fatalf("refused ticket's outbox %v, want it kept", got)
		}
		if got := pendingJobs(t, st, "recent"); !slices.Equal(got, recent) {
			t.Fatalf("recent ticket's outbox %v, want it left to its committer", got)
		}

		q.refuse = nil
		if flushed, err := relay.Sweep(ctx); err != nil || flushed != 1 {
			t.Fatalf("second Sweep = %d, %v; want the refused ticket flushed", flushed, err)
		}
		if left, _, err := st.PendingOutboxes(ctx, t0.Add(time.Hour), "", 10); err != nil || !slices.Equal(left, []string{"recent"}) {
			t.Fatalf("pending after the sweeps: %v, %v; want only the recent ticket", left, err)
		}
	})
}

// A ticket whose clearer emptied its outbox and died before taking it out
// of the index (two writes on DynamoDB) is taken out by the next sweep,
// not counted as published, and does not hold the sweep up.
func TestRelayTakesAnEmptiedOutboxOutOfTheIndex(t *testing.T) {
	st := testbed.DynamoDB.Open(t, nil).(*testbed.DynamoDBStore)
	ctx := context.Background()
	withJobs(t, st, "stranded", t0, "j")
	pending := withJobs(t, st, "pending", t0.Add(time.Second), "j")
	// What the first of ClearOutbox's two writes leaves: an empty outbox
	// still in the index.
	_, err := st.DB.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &st.Table,
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "TICKET#stranded"}, "SK": &types.AttributeValueMemberS{Value: "TICKET"}},
		UpdateExpression: aws.String("REMOVE outbox.j")})
	if err != nil {
		t.Fatal(err)
	}
	if ids, _, err := st.PendingOutboxes(ctx, t0.Add(time.Hour), "", 10); err != nil || len(ids) != 2 {
		t.Fatalf("index before the sweep: %v, %v; want both tickets", ids, err)
	}
	q := &queue{}
	relay := &outbox.Relay{Store: st, Publisher: q, Now: func() time.Time { return t0.Add(time.Hour) }, Grace: time.Minute, Log: quiet}
	if n, err := relay.Sweep(ctx); err != nil || n != 1 || !slices.Equal(q.published(), pending) {
		t.Fatalf("Sweep = %d, %v, published %v; want only the pending ticket's job", n, err, q.published())
	}
	if ids, _, err := st.PendingOutboxes(ctx, t0.Add(time.Hour), "", 10); err != nil || len(ids) != 0 {
		t.Fatalf("index after the sweep: %v, %v; want empty", ids, err)
	}
}
