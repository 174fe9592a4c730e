package index_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// BenchmarkIndexMessage measures what indexing one message costs on
// DynamoDB (write units computed by DynamoDB's sizing rules, reads as
// DynamoDB Local reports them; see testbed.CapacityMeter): the first
// message of a ticket (with its subject) and a later one, for a chat line,
// a 100-word and a 1,000-word email of English-like text (words drawn
// from a 3,000-word vocabulary with Zipf frequencies, as text has).
// naive-WCU/op is what writing every term of the message would cost
// without the ticket's record of the terms it has.
func BenchmarkIndexMessage(b *testing.B) {
	for _, size := range []struct {
		name  string
		words int
	}{{"chat_line_12_words", 12}, {"email_100_words", 100}, {"email_1000_words", 1000}} {
		for _, later := range []bool{false, true} {
			name := size.name + "/first_message"
			if later {
				name = size.name + "/third_message"
			}
			b.Run(name, func(b *testing.B) {
				db, table := testbed.Table(b)
				meter := &testbed.CapacityMeter{DB: db, Table: table}
				ix := &index.Service{Store: store.New(meter, table)}
				setup := &index.Service{Store: store.New(db, table)} // unmetered
				ctx := context.Background()
				text := newText(size.words)
				var naive float64
				meter.Reset()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					b.StopTimer()
					id := fmt.Sprint(i + 1)
					if later { // two earlier messages of the same conversation
						for j := 0; j < 2; j++ {
							m := helpdesk.Message{TicketID: id, Text: text(uint64(i*10 + j))}
							if err := setup.Apply(ctx, index.Change{Message: &m}); err != nil {
								b.Fatal(err)
							}
						}
					}
					tk := helpdesk.Ticket{ID: id, Subject: "Order " + id + " arrived damaged, need a refund"}
					m := helpdesk.Message{TicketID: id, Text: text(uint64(i*10 + 5))}
					naive += float64(len(index.MessageTerms(m)))
					b.StartTimer()
					batch := []index.Change{{Message: &m}}
					if !later { // the new ticket's record and its first message's
						batch = append(batch, index.Change{Ticket: &tk})
					}
					if err := ix.ApplyAll(ctx, batch); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				b.ReportMetric(meter.Write/float64(b.N), "WCU/op")
				b.ReportMetric(meter.Read/float64(b.N), "RCU/op")
				b.ReportMetric(naive/float64(b.N), "naive-WCU/op")
			})
		}
	}
}

// newText returns a generator of n-word texts, one per seed.
func newText(n int) func(seed uint64) string {
	vocab := make([]string, 3000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range vocab {
		w := make([]byte, 3+r.IntN(7))
		for j := range w {
			w[j] = byte('a' + r.IntN(26))
		}
		vocab[i] = string(w)
	}
	return func(seed uint64) string {
		z := rand.NewZipf(rand.New(rand.NewPCG(seed, 7)), 1.1, 1, uint64(len(vocab)-1))
		words := make([]string, n)
		for i := range words {
			words[i] = vocab[z.Uint64()]
		}
		return strings.Join(words, " ")
	}
}
