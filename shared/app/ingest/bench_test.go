package ingest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// BenchmarkApply measures applying inbound messages against DynamoDB Local
// and reports the capacity units each costs on DynamoDB (see
// testbed.CapacityMeter for how). Wall time is DynamoDB Local's, not AWS's.
func BenchmarkApply(b *testing.B) {
	oneThread := threading.Func(func(m *helpdesk.InboundMessage) threading.Thread {
		return threading.Thread{Lookup: []threading.Key{{Key: "bench-thread", Reason: "bench"}}, Own: []string{"bench-thread"}}
	})
	cases := []struct {
		name     string
		threader threading.Threader
		sender   func(i int) string
		// messenger sends from a known, consenting, unnamed Messenger
		// contact to a page that asks for explicit consent.
		messenger bool
	}{
		{"new_ticket_new_contact", threading.Submission, func(i int) string { return fmt.Sprintf("c%d@example.com", i) }, false},
		{"new_ticket_known_contact", threading.Submission, func(int) string { return "known@example.com" }, false},
		{"append_message", oneThread, func(int) string { return "known@example.com" }, false},
		{"messenger_append_known_contact", oneThread, nil, true},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			db, table := testbed.Table(b)
			meter := &testbed.CapacityMeter{DB: db, Table: table}
			st := store.New(meter, table)
			ctx := context.Background()
			if err := st.PutChannel(ctx, formChannel); err != nil {
				b.Fatal(err)
			}
			msg := func(i string) *helpdesk.InboundMessage { return submission(i, "known@example.com") }
			if tc.messenger {
				page := &helpdesk.MessengerSettings{PageID: fixturePage, Consent: helpdesk.ConsentExplicit, ConsentText: "OK?"}
				if err := st.PutChannel(ctx, helpdesk.Channel{ID: "messenger:" + fixturePage, Kind: helpdesk.ChannelMessenger,
					Name: "Acme page", Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Messenger: page}); err != nil {
					b.Fatal(err)
				}
				sender := helpdesk.Sender{PageID: fixturePage, PSID: fixturePSID}
				known := helpdesk.Contact{ID: "bench-contact", PSID: fixturePSID, PageID: fixturePage, CreatedAt: t0,
					Consent: &helpdesk.Consent{Mode: helpdesk.ConsentExplicit, ChannelID: "messenger:" + fixturePage, At: t0}}
				if err := st.CreateContact(ctx, known, sender.Key(helpdesk.ChannelMessenger)); err != nil {
					b.Fatal(err)
				}
				msg = func(i string) *helpdesk.InboundMessage { return chatText(i, "hello", t0) }
			}
			svc := &ingest.Service{Store: st, Threader: tc.threader, Settings: settings.Fixed(helpdesk.DefaultSettings()),
				Now: nowT0, Log: quiet}
			if tc.messenger {
				svc.Outbound = &memOutbox{}
			}
			// Warm up: the known contact and the thread exist before timing.
			if _, err := svc.Apply(ctx, msg("warm")); err != nil {
				b.Fatal(err)
			}
			meter.Reset()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m := msg(fmt.Sprint(i))
				if !tc.messenger {
					m = submission(fmt.Sprint(i), tc.sender(i))
				}
				if _, err := svc.Apply(ctx, m); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(meter.Write/float64(b.N), "WCU/op")
			b.ReportMetric(meter.Read/float64(b.N), "RCU/op")
		})
	}
}
