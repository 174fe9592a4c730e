package desk_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// mailLike threads by subject like threadOf, and gives every message a
// key of its own, as an email's Message-ID is: a ticket of n messages
// holds n+1 thread keys.
var mailLike = threading.Func(func(m *helpdesk.InboundMessage) threading.Thread {
	k := "subject#" + m.Subject
	return threading.Thread{Lookup: []threading.Key{{Key: k, Reason: "same_subject"}}, Own: []string{k, "mid#" + m.ProviderMessageID}}
})

// A merge writes a bounded number of items whatever the tickets' sizes:
// messages stay in their partitions and at most ticket.MaxRepointedKeys
// keys move. A secondary of 150 messages (151 keys) merges in one
// transaction; a reply to a key the merge left with it still lands in the
// merged ticket (through the tombstone); the unmerge puts back what moved.
func TestMergeOfALargeTicketFitsOneTransaction(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		f.apply.Threader = mailLike
		primary := f.newTicket(t, "small")
		secondary := f.newTicket(t, "large")
		for range 150 {
			f.reply(t, "large")
		}
		before, _ := f.st.GetTicketHeader(f.ctx, secondary)
		if len(before.ThreadKeys) != 152 || before.MessageCount != 151 {
			t.Fatalf("the large ticket: %d keys, %d messages", len(before.ThreadKeys), before.MessageCount)
		}
		p, err := f.svc.Merge(f.ctx, primary, secondary, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if p.MessageCount != 152 || len(p.ThreadKeys) != 2+ticket.MaxRepointedKeys {
			t.Fatalf("merged: %d messages, %d keys", p.MessageCount, len(p.ThreadKeys))
		}
		// A key the merge left with the secondary (the last, by order).
		left := before.ThreadKeys[len(before.ThreadKeys)-1]
		if owner, _, _ := f.st.FindThread(f.ctx, []string{left}); owner != secondary {
			t.Fatalf("key %s: %s, want it left with %s", left, owner, secondary)
		}
		f.clk.t = f.clk.t.Add(time.Second)
		// Through a left key: the lookup finds the secondary, merged, and
		// follows it to the primary.
		late := threading.Func(func(m *helpdesk.InboundMessage) threading.Thread {
			return threading.Thread{Lookup: []threading.Key{{Key: left, Reason: "in_reply_to"}}}
		})
		f.apply.Threader = late
		f.clk.t = f.clk.t.Add(time.Second)
		got, err := f.apply.Apply(f.ctx, &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm,
			ChannelID: "web", ProviderMessageID: "via-left-key", ReceivedAt: f.clk.t, Sender: helpdesk.Sender{Email: "customer@example.com"},
			Subject: "Re: large", Text: "answer"})
		if err != nil || got.TicketID != primary {
			t.Fatalf("a reply through a key left with the merged ticket: %+v %v, want ticket %s", got, err, primary)
		}
		// 30 more through its thread, each bringing a key of its own: the
		// unmerge must send back 40 + 30 keys and 31 messages, 136 items,
		// more than one transaction: it goes in steps (ticket.UnmergeStep).
		f.apply.Threader = mailLike
		for range 30 {
			if m := f.reply(t, "large"); m.TicketID != primary {
				t.Fatalf("a reply to the merged thread landed in %s", m.TicketID)
			}
		}
		// Unmerged, the secondary has its 151 messages and the 31 replies
		// that came through its threads, and every key of its own and theirs.
		p2, s, err := f.svc.Unmerge(f.ctx, secondary, 0, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if s.MessageCount != 182 || len(s.ThreadKeys) != 182 || p2.MessageCount != 1 || len(p2.ThreadKeys) != 2 {
			t.Fatalf("unmerged: %d messages, %d keys; the primary %d and %d", s.MessageCount, len(s.ThreadKeys), p2.MessageCount, len(p2.ThreadKeys))
		}
		if c := f.ticket(t, secondary); len(c.Messages) != 182 || len(partition(c, secondary)) != 182 {
			t.Fatalf("the secondary shows %d messages", len(c.Messages))
		}
		if c := f.ticket(t, primary); len(c.Messages) != 1 {
			t.Fatalf("the primary shows %d messages", len(c.Messages))
		}
		for _, k := range s.ThreadKeys {
			if owner, _, _ := f.st.FindThread(f.ctx, []string{k}); owner != secondary {
				t.Fatalf("key %s leads to %s after the unmerge", k, owner)
			}
		}
		for _, k := range before.ThreadKeys {
			if owner, _, _ := f.st.FindThread(f.ctx, []string{k}); owner != secondary {
				t.Fatalf("key %s leads to %s after the unmerge", k, owner)
			}
		}
	})
}

// BenchmarkMerge reports the capacity units of a merge and of its unmerge
// on DynamoDB (testbed.CapacityMeter: reads as DynamoDB Local reports
// them, writes computed from the items): two one-message tickets, and a
// secondary of 40 messages (41 keys, all moved) with 10 replies arriving
// through its thread before the unmerge.
func BenchmarkMerge(b *testing.B) {
	for _, tc := range []struct {
		name            string
		messages, after int
	}{{"small", 0, 1}, {"40_messages_10_arrivals", 39, 10}} {
		b.Run(tc.name, func(b *testing.B) {
			db, table := testbed.Table(b)
			meter := &testbed.CapacityMeter{DB: db, Table: table}
			metered := testbed.Backend{Name: "metered", Open: func(_ testing.TB, now func() time.Time) testbed.Store {
				return &testbed.DynamoDBStore{Store: store.New(meter, table, store.WithClock(now)), DB: db, Table: table}
			}}
			g := newFixture(b, metered)
			g.apply.Threader = mailLike
			var mergeW, mergeR, unW, unR float64
			for i := 0; i < b.N; i++ {
				p := g.newTicket(b, fmt.Sprintf("p%d", i))
				s := g.newTicket(b, fmt.Sprintf("s%d", i))
				for range tc.messages {
					g.reply(b, fmt.Sprintf("s%d", i))
				}
				meter.Reset()
				if _, err := g.svc.Merge(g.ctx, p, s, "ann"); err != nil {
					b.Fatal(err)
				}
				mergeW, mergeR = mergeW+meter.Write, mergeR+meter.Read
				for range tc.after {
					g.reply(b, fmt.Sprintf("s%d", i))
				}
				meter.Reset()
				if _, _, err := g.svc.Unmerge(g.ctx, s, 0, "ann"); err != nil {
					b.Fatal(err)
				}
				unW, unR = unW+meter.Write, unR+meter.Read
			}
			n := float64(b.N)
			b.ReportMetric(mergeW/n, "merge-WCU/op")
			b.ReportMetric(mergeR/n, "merge-RCU/op")
			b.ReportMetric(unW/n, "unmerge-WCU/op")
			b.ReportMetric(unR/n, "unmerge-RCU/op")
		})
	}
}
