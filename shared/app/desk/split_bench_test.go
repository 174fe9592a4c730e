package desk_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// BenchmarkSplit measures a split against DynamoDB Local and reports the
// capacity units it costs on DynamoDB (testbed.CapacityMeter: reads as
// DynamoDB Local reports them, writes computed from the items). Each op
// splits `moved` of a thread of `moved`+1 customer mails (each ~0.3 KB)
// into a new ticket, routed by the channel's rule (round robin over one
// agent) or given an owner. Setting the threads up is not metered.
//
//	go test -run '^$' -bench Split -benchtime 20x ./shared/app/desk/
func BenchmarkSplit(b *testing.B) {
	for _, tc := range []struct {
		name  string
		moved int
		owner string
	}{
		{"1_of_3_mails_routed", 1, ""}, // the thread has 3 mails: the second moves
		{"1_of_3_mails_owner_given", 1, "ann"},
		{"20_of_21_mails_routed", 20, ""},
	} {
		b.Run(tc.name, func(b *testing.B) {
			db, table := testbed.Table(b)
			meter := &testbed.CapacityMeter{DB: db, Table: table}
			st := store.New(meter, table)
			ctx := context.Background()
			now := func() time.Time { return time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC) }
			for _, id := range []string{"ann", "bob"} {
				if err := st.PutAgent(ctx, helpdesk.Agent{ID: id, Email: id + "@acme.example", Name: id, Seat: true, Active: true}); err != nil {
					b.Fatal(err)
				}
			}
			if err := st.PutChannel(ctx, supportMail); err != nil {
				b.Fatal(err)
			}
			pipes := settings.Fixed(helpdesk.DefaultSettings())
			router := &routing.Router{Store: st, Now: now}
			apply := &ingest.Service{Store: st, Threader: threading.ByChannel([]byte("secret")), Settings: pipes, Now: now,
				Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Router: router, Outbound: nopOutbox{}}
			svc := &desk.Service{Store: st, Settings: pipes, Now: now, Router: router}
			mails := tc.moved + 1
			type thread struct {
				ticket string
				move   []string
			}
			threads := make([]thread, b.N)
			for i := range b.N {
				prev := ""
				for j := range mails {
					id := fmt.Sprintf("t%d.%d@example.com", i, j)
					h := &helpdesk.EmailHeaders{MessageID: id}
					if prev != "" {
						h.InReplyTo = []string{prev}
					}
					prev = id
					res, err := apply.Apply(ctx, &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail,
						ChannelID: supportMail.ID, ProviderMessageID: id, ReceivedAt: now().Add(time.Duration(j) * time.Minute), Email: h,
						Sender: helpdesk.Sender{Email: "customer@example.com"}, Subject: "Order", Text: "Where is my order? It has not arrived yet and I need it for Friday."})
					if err != nil {
						b.Fatal(err)
					}
					threads[i].ticket = res.TicketID
				}
				conv, err := st.GetTicket(ctx, threads[i].ticket)
				if err != nil {
					b.Fatal(err)
				}
				// The second mail alone, or every mail but the first.
				for _, m := range conv.Messages[1 : 1+tc.moved] {
					threads[i].move = append(threads[i].move, m.ID)
				}
			}
			meter.Reset()
			b.ResetTimer()
			for i := range b.N {
				if _, err := svc.Split(ctx, desk.SplitRequest{TicketID: threads[i].ticket, MessageIDs: threads[i].move,
					Subject: "Second order", OwnerID: tc.owner, AgentID: "bob"}); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(meter.Write/float64(b.N), "WCU/op")
			b.ReportMetric(meter.Read/float64(b.N), "RCU/op")
		})
	}
}
