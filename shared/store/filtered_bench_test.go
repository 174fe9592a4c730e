package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// reported asks DynamoDB (Local) for the capacity each PutItem consumed
// and adds it up: a single-item write, which DynamoDB Local reports as
// DynamoDB does (testbed.CapacityMeter).
type reported struct {
	*testbed.CapacityMeter
	mu    sync.Mutex
	units float64
}

func (r *reported) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := r.CapacityMeter.PutItem(ctx, in, opts...)
	if err == nil && out.ConsumedCapacity != nil {
		r.mu.Lock()
		r.units += aws.ToFloat64(out.ConsumedCapacity.CapacityUnits)
		r.mu.Unlock()
	}
	return out, err
}

// benchFiltered is a filtered mail as email-inbound records an auto-reply:
// typical (a short subject and name), or as large as the record's bounds
// let a mail make it.
func benchFiltered(i int, large bool) helpdesk.FilteredMail {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	id := fmt.Sprintf("0100019373b1c2d3-%08d-4e5f-a6b7-c8d9e0f1a2b3-000000", i)
	f := helpdesk.FilteredMail{SESMessageID: id, ReceivedAt: at, Kind: helpdesk.FilteredAutoReply,
		Reason: "auto-submitted: auto-replied", Sender: helpdesk.Sender{Email: "ann.lee@example.com", Name: "Ann Lee"},
		Subject: "Automatic reply: Where is my order?", MessageID: "CAF=x8" + id + "@mail.gmail.com",
		ChannelID: "email:support@acme.example", Recipients: []string{"support@acme.example"},
		RawKey: "inbound/" + id, RawLocation: "s3://stackdesk-acme-mailbucket-1a2b3c4d5e6f/inbound/" + id,
		ExpiresAt: at.Add(helpdesk.FilteredRetention)}
	if large {
		f.Subject, f.Sender.Name, f.Reason = strings.Repeat("Ω", 400), strings.Repeat("n", 400), strings.Repeat("r", 400)
		for j := range 20 {
			f.Recipients = append(f.Recipients, fmt.Sprintf("support+t%d.abcdefgh@acme.example", j))
		}
	}
	return f
}

// BenchmarkRecordFiltered measures the write units one filtered-mail
// record costs on DynamoDB Local: WCU/op as DynamoDB Local reports it
// (ReturnConsumedCapacity) and as testbed.CapacityMeter computes it from
// the item's size (no GSI: one unit per KB).
func BenchmarkRecordFiltered(b *testing.B) {
	for _, large := range []bool{false, true} {
		b.Run(map[bool]string{false: "typical", true: "largest"}[large], func(b *testing.B) {
			db, table := testbed.Table(b)
			meter := &reported{CapacityMeter: &testbed.CapacityMeter{DB: db, Table: table}}
			st := store.New(meter, table)
			ctx := context.Background()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := st.RecordFiltered(ctx, benchFiltered(i, large)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(meter.units/float64(b.N), "WCU/op")
			b.ReportMetric(meter.Write/float64(b.N), "computed-WCU/op")
		})
	}
}

// BenchmarkPromoteFiltered measures marking a typical record promoted with
// its audit entry (one transaction; testbed.CapacityMeter's figure, as
// DynamoDB Local misreports transactions).
func BenchmarkPromoteFiltered(b *testing.B) {
	db, table := testbed.Table(b)
	meter := &testbed.CapacityMeter{DB: db, Table: table}
	st := store.New(meter, table)
	ctx := context.Background()
	fs := make([]helpdesk.FilteredMail, b.N)
	for i := range fs {
		fs[i] = benchFiltered(i, false)
		if err := st.RecordFiltered(ctx, fs[i]); err != nil {
			b.Fatal(err)
		}
	}
	meter.Reset()
	b.ResetTimer()
	for i, f := range fs {
		now := f.ReceivedAt.Add(time.Hour)
		before, _ := json.Marshal(f)
		f.PromotedBy, f.PromotedAt, f.PromotedMessageID = "alice", &now, f.MessageID
		after, _ := json.Marshal(f)
		audit := helpdesk.AuditEntry{ID: fmt.Sprint("a", i), At: now, ActorID: "alice", Kind: helpdesk.AuditFiltered,
			EntityID: f.SESMessageID, Action: helpdesk.AuditPromote, Before: before, After: after}
		if err := st.PromoteFiltered(ctx, f, audit); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(meter.Write/float64(b.N), "WCU/op")
}
