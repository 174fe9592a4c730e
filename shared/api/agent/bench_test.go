package agent_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// benchTickets is the size of the seeded desk the API is measured on.
const benchTickets = 10_000

// benchDesk is the agent API over a DynamoDB Local table of benchTickets
// tickets, every call metered. Ticket "1" has 50 messages.
type benchDesk struct {
	srv   *httptest.Server
	meter *testbed.CapacityMeter
}

var (
	benchOnce sync.Once
	bench     *benchDesk
	benchErr  error
)

// seededDesk seeds once for every sub-benchmark: 10,000 tickets take
// DynamoDB Local about a minute.
func seededDesk(b *testing.B) *benchDesk {
	b.Helper()
	benchOnce.Do(func() { bench, benchErr = seed(b) })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return bench
}

func seed(b *testing.B) (*benchDesk, error) {
	db, table := testbed.Table(b)
	meter := &testbed.CapacityMeter{DB: db, Table: table}
	st := store.New(meter, table)
	ctx := context.Background()
	for _, a := range people {
		if err := st.PutAgent(ctx, a); err != nil {
			return nil, err
		}
	}
	for _, tm := range []helpdesk.Team{{ID: "A", Name: "Team A", MemberIDs: []string{"bob", "vic"}}, {ID: "B", Name: "Team B", MemberIDs: []string{"cat"}}} {
		if err := st.PutTeam(ctx, tm); err != nil {
			return nil, err
		}
	}
	if err := st.PutChannel(ctx, mail); err != nil {
		return nil, err
	}
	// 3,000 customers, each in the directory and the search index.
	ix := &index.Service{Store: store.New(db, table)}
	for i := range 3000 {
		email := fmt.Sprintf("cus%d@example.com", i)
		c := helpdesk.Contact{ID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Customer %d", i), Email: email, CreatedAt: t0}
		if err := st.CreateContact(ctx, c, "email#"+email); err != nil {
			return nil, err
		}
		if err := ix.Apply(ctx, index.Change{Contact: &c}); err != nil {
			return nil, err
		}
	}
	set := helpdesk.DefaultSettings()
	owners := []string{"", "ann", "bob", "cat"}
	teams := []string{"", "A", "B"}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > benchTickets {
					return
				}
				at := t0.Add(time.Duration(i) * time.Minute)
				id := fmt.Sprint(i)
				m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
					ProviderMessageID: "m" + id + "@example.com", ReceivedAt: at, Sender: helpdesk.Sender{Email: fmt.Sprintf("cus%d@example.com", i%3000)},
					Subject: "Question about order " + id, Text: "Hello, I have a question about my order " + id + ". It has not arrived yet."}
				msg := helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
					Text: m.Text, CreatedAt: at}
				c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: mail, ContactID: fmt.Sprintf("c%d", i%3000),
					SenderKey: m.Sender.Key(m.Channel)}, set, at)
				n := c.Ticket()
				n.OwnerID, n.TeamID = owners[i%len(owners)], teams[i%len(teams)]
				if n.OwnerID != "" {
					n.AssignedAt = at
				}
				if i%10 == 0 {
					n.State, n.Status = helpdesk.StateClosed, "closed"
				}
				c.Loads = nil // the bench reads; counters are not what it measures
				if err := st.Commit(ctx, c); err != nil {
					errs <- fmt.Errorf("seed ticket %s: %w", id, err)
					return
				}
				// What the stream's indexer does on AWS.
				if err := ix.Apply(ctx, index.Change{Ticket: n, Message: &c.Messages[0]}); err != nil {
					errs <- fmt.Errorf("index ticket %s: %w", id, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	// Ticket 1's conversation: 49 more customer messages.
	for i := 2; i <= 50; i++ {
		tk, err := st.GetTicketHeader(ctx, "1")
		if err != nil {
			return nil, err
		}
		at := t0.Add(time.Duration(i) * time.Second)
		msg := helpdesk.Message{ID: fmt.Sprintf("msg-1-%d", i), Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
			Text: fmt.Sprintf("Follow-up %d: still waiting for my order, could you check where it is?", i), CreatedAt: at}
		c, err := ticket.Append(tk, msg, "", nil, nil, set, at)
		if err != nil {
			return nil, err
		}
		if err := st.Commit(ctx, c); err != nil {
			return nil, err
		}
	}
	api := &agent.API{Auth: authenticate, Store: st, Outbound: &published{}, Log: quiet, CursorKey: []byte("bench-cursor-key"),
		Desk: &desk.Service{Store: st, Settings: settings.Fixed(set), Now: time.Now}}
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	return &benchDesk{srv: srv, meter: meter}, nil
}

// BenchmarkAgentAPI measures the API's requests on a desk of 10,000
// tickets (3,000 customers, all indexed for search; 1 in 10 closed; owners
// and teams spread over ann, bob, cat and nobody, teams A, B and none): latency (p50, p99, through HTTP), read units per request as
// DynamoDB Local reports them, and the least read units the bytes returned
// could cost (eventually consistent: 0.5 per 4 KB).
func BenchmarkAgentAPI(b *testing.B) {
	d := seededDesk(b)
	for _, c := range []struct{ name, path, who string }{
		{"view_page_50/all_open/admin", "/api/views/all_open/tickets?limit=50", "ann"},
		{"view_page_50/my_team_open/agent", "/api/views/my_team_open/tickets?limit=50", "bob"},
		{"ticket_50_messages", "/api/tickets/1", "ann"},
		{"ticket_50_messages/timeline_page_50", "/api/tickets/1/timeline?limit=50", "ann"},
		{"view_counts/admin", "/api/views", "ann"},
		{"view_counts/agent_team_scope", "/api/views", "bob"},
		{"search/one_common_word/admin", "/api/search?q=arrived", "ann"},
		{"search/one_common_word/agent_team_scope", "/api/search?q=arrived", "bob"},
		{"search/ticket_number", "/api/search?q=4242", "ann"},
		{"search/contact_email", "/api/search?q=cus42@example.com", "ann"},
	} {
		b.Run(c.name, func(b *testing.B) { d.measure(b, c.path, c.who) })
	}
	// A console's poll while nothing changed: the desk clock, 304.
	b.Run("changes_not_modified/agent", func(b *testing.B) {
		req, _ := http.NewRequest(http.MethodGet, d.srv.URL+"/api/changes", nil)
		req.Header.Set("Authorization", "Bearer token-sub-bob")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		d.measure(b, "/api/changes", "bob", "If-None-Match", resp.Header.Get("ETag"))
	})
}

// measure GETs path as who, with header pairs; a 304 counts as answered.
func (d *benchDesk) measure(b *testing.B, path, who string, header ...string) {
	lat := make([]time.Duration, 0, b.N)
	var bytes int64
	d.meter.Reset()
	b.ResetTimer()
	for range b.N {
		req, _ := http.NewRequest(http.MethodGet, d.srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer token-sub-"+who)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified {
			b.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		bytes += n
	}
	b.StopTimer()
	slices.Sort(lat)
	per := float64(bytes) / float64(b.N)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(d.meter.Read/float64(b.N), "RCU/op")
	b.ReportMetric(math.Ceil(per/4096)*0.5, "minRCU/op")
	b.ReportMetric(per, "B/resp")
}
