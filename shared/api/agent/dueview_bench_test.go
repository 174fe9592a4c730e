package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// BenchmarkDueViews measures what the due-date views read on DynamoDB
// Local, on a desk of 3,000 open tickets with SLA clocks: 30 due within
// the hour, 30 overdue (breach recorded), the rest due in one to three
// days. Breaching soon reads the sweep's index (GSI6) and the tickets due;
// an overdue view and a view sorted by due date read the open partition.
func BenchmarkDueViews(b *testing.B) {
	db, table := testbed.Table(b)
	meter := &testbed.CapacityMeter{DB: db, Table: table}
	st := store.New(meter, table)
	ctx := context.Background()
	for _, a := range people {
		if err := st.PutAgent(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now().UTC()
	for i := range 3000 {
		due := now.Add(24*time.Hour + time.Duration(i)*time.Minute)
		tg := helpdesk.SLATarget{Kind: helpdesk.SLAFirstResponse, StartedAt: now.Add(-time.Hour)}
		switch {
		case i%100 == 0:
			due = now.Add(time.Duration(i/100+1) * time.Minute)
		case i%100 == 1:
			due = now.Add(-time.Duration(i/100+1) * time.Minute)
			tg.BreachedAt = due
		}
		tg.DueAt = due
		next := due
		if !tg.BreachedAt.IsZero() {
			next = time.Time{}
		}
		tk := helpdesk.Ticket{ID: fmt.Sprint(1000 + i), Subject: "Order", Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
			Type: helpdesk.TypeEmailOther, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail, ContactID: fmt.Sprint("c", i),
			CreatedAt: now.Add(-time.Duration(i) * time.Minute), UpdatedAt: now, Version: 1,
			SLA: &helpdesk.SLA{PolicyID: "standard", NextCheckAt: next, Targets: []helpdesk.SLATarget{tg}}}
		if err := st.Commit(ctx, ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
			b.Fatal(err)
		}
	}
	api := &agent.API{Auth: authenticate, Store: st, Outbound: &published{}, Log: quiet, CursorKey: []byte("bench-cursor-key"),
		Desk: &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: time.Now}}
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	b.Cleanup(srv.Close)
	d := &benchDesk{srv: srv, meter: meter}
	call := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer token-sub-ann")
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	view := func(body string) string {
		code, out := call("POST", "/api/views", body)
		if code != 201 {
			b.Fatalf("%s: %d %v", body, code, out)
		}
		return "/api/views/" + out["id"].(string) + "/tickets?limit=50"
	}
	overdue := view(`{"name":"Overdue","filter":{"states":["open"],"sla":{"overdue":true}},"sort":{"by":"due","order":"asc"}}`)
	byDue := view(`{"name":"By due","filter":{"states":["open"]},"sort":{"by":"due","order":"asc"}}`)
	for _, c := range []struct{ name, path string }{
		{"breaching_soon_page", "/api/views/breaching_soon/tickets?limit=50"},
		{"overdue_page", overdue},
		{"sorted_by_due_page", byDue},
		{"sidebar_counts", "/api/views"},
	} {
		b.Run(c.name, func(b *testing.B) { d.measure(b, c.path, "ann") })
	}
	if _, out := call("GET", "/api/views/breaching_soon/tickets?limit=50", ""); len(out["tickets"].([]any)) != 30 {
		b.Fatalf("breaching soon holds %d tickets, want 30", len(out["tickets"].([]any)))
	}
}
