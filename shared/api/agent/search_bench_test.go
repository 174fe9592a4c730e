package agent_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// BenchmarkSearch measures the read units of one search on DynamoDB
// (DynamoDB Local's figures; testbed.CapacityMeter) over 400 indexed
// tickets whose words recur (each common word is in every ticket's
// text, so a term's partition is full: 200 hits read): signing the
// caller in is in every request and measured alone as sign_in.
func BenchmarkSearch(b *testing.B) {
	db, table := testbed.Table(b)
	meter := &testbed.CapacityMeter{DB: db, Table: table}
	plain := store.New(db, table)
	ctx := context.Background()
	for _, a := range people {
		if err := plain.PutAgent(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	for _, tm := range []helpdesk.Team{{ID: "A", Name: "Team A", MemberIDs: []string{"bob", "vic"}}, {ID: "B", Name: "Team B", MemberIDs: []string{"cat"}}} {
		if err := plain.PutTeam(ctx, tm); err != nil {
			b.Fatal(err)
		}
	}
	ix := &index.Service{Store: plain}
	for i := 1; i <= 400; i++ {
		id := fmt.Sprint(i)
		cid := fmt.Sprintf("c%d", i%50)
		if i <= 50 {
			c := helpdesk.Contact{ID: cid, Name: "Customer " + cid, Email: cid + "@example.com", CreatedAt: t0}
			if err := plain.CreateContact(ctx, c, "email#"+c.Email); err != nil {
				b.Fatal(err)
			}
		}
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
			ProviderMessageID: "m" + id, ReceivedAt: t0, Sender: helpdesk.Sender{Email: cid + "@example.com"},
			Subject: fmt.Sprintf("Order %d invoice question", i), Text: fmt.Sprintf("My printer jammed and the invoice %d is late; refund please.", i)}
		msg := helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail, Text: m.Text, CreatedAt: t0}
		c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: mail, ContactID: cid, SenderKey: m.Sender.Key(m.Channel)}, helpdesk.DefaultSettings(), t0)
		c.Ticket().TeamID = []string{"A", "B"}[i%2]
		if err := plain.Commit(ctx, c); err != nil {
			b.Fatal(err)
		}
		if err := ix.Ticket(ctx, id); err != nil {
			b.Fatal(err)
		}
	}
	api := &agent.API{Auth: authenticate, Store: store.New(meter, table), Log: quiet, CursorKey: []byte("k")}
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	get := func(b *testing.B, path, who string) {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer token-sub-"+who)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("%s: %d", path, resp.StatusCode)
		}
	}
	for _, c := range []struct{ name, path, who string }{
		{"sign_in", "/api/me", "ann"},
		{"one_word/admin", "/api/search?q=printer", "ann"},
		{"one_word/team_agent", "/api/search?q=printer", "bob"},
		{"three_words/admin", "/api/search?q=" + url.QueryEscape("invoice printer refund"), "ann"},
		{"email/admin", "/api/search?q=c7%40example.com", "ann"},
		{"ticket_number/admin", "/api/search?q=%23123", "ann"},
		{"contacts_by_name/admin", "/api/contacts?q=customer", "ann"},
	} {
		b.Run(c.name, func(b *testing.B) {
			meter.Reset()
			for i := 0; i < b.N; i++ {
				get(b, c.path, c.who)
			}
			b.ReportMetric(meter.Read/float64(b.N), "RCU/op")
		})
	}
}
