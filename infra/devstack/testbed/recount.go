package testbed

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Recount is the ground truth a table's counters must equal, read with a
// Scan of the whole table (a test may Scan; the desk never does).
type Recount struct {
	// Tickets are every ticket item, by id.
	Tickets map[string]helpdesk.Ticket
	// Messages are the message items of each ticket's own partition, by
	// ticket id (the partition's), in key order.
	Messages map[string][]helpdesk.Message
	// Loads counts, per agent and ticket type, the tickets that count
	// towards their load at the recount's time (helpdesk.Ticket.Counted).
	Loads map[string]map[helpdesk.TicketType]int
}

// RecountTable scans table and recounts at now.
func RecountTable(t testing.TB, db *dynamodb.Client, table string, now time.Time) Recount {
	t.Helper()
	r := Recount{Tickets: map[string]helpdesk.Ticket{}, Messages: map[string][]helpdesk.Message{},
		Loads: map[string]map[helpdesk.TicketType]int{}}
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &table, ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("recount: %v", err)
		}
		for _, av := range page.Items {
			pk, _ := av["PK"].(*types.AttributeValueMemberS)
			sk, _ := av["SK"].(*types.AttributeValueMemberS)
			if pk == nil || sk == nil || !strings.HasPrefix(pk.Value, "TICKET#") {
				continue
			}
			switch {
			case sk.Value == "TICKET":
				var tk helpdesk.Ticket
				if err := attributevalue.UnmarshalMap(av, &tk); err != nil {
					t.Fatalf("recount: %v", err)
				}
				r.Tickets[tk.ID] = tk
				if tk.Counted(now) {
					if r.Loads[tk.OwnerID] == nil {
						r.Loads[tk.OwnerID] = map[helpdesk.TicketType]int{}
					}
					r.Loads[tk.OwnerID][tk.Type]++
				}
			case strings.HasPrefix(sk.Value, "MSG#"):
				var m helpdesk.Message
				if err := attributevalue.UnmarshalMap(av, &m); err != nil {
					t.Fatalf("recount: %v", err)
				}
				id := strings.TrimPrefix(pk.Value, "TICKET#")
				r.Messages[id] = append(r.Messages[id], m)
			}
		}
	}
	return r
}

// Root is the ticket id's messages show in now: id, or the ticket it was
// merged into, however many merges on ("" for a loop or a missing ticket).
func (r Recount) Root(id string) string {
	for seen := map[string]bool{}; !seen[id]; {
		seen[id] = true
		tk, ok := r.Tickets[id]
		if !ok {
			return ""
		}
		if tk.State != helpdesk.StateMerged {
			return id
		}
		id = tk.MergedInto
	}
	return ""
}

// ShownMessages counts the messages the conversation of ticket id shows:
// its own partition's and, recursively, those of the tickets merged into
// it (what its MessageCount must be).
func (r Recount) ShownMessages(id string) int {
	n := 0
	for _, tk := range r.Tickets {
		if tk.State == helpdesk.StateMerged && r.Root(tk.ID) == id {
			n += len(r.Messages[tk.ID])
		}
	}
	return n + len(r.Messages[id])
}
