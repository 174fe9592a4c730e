package csatpage_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/csatpage"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// desk serves ticket headers from a map; ratings go to the real store.
type desk struct {
	testbed.Store
	byID map[string]helpdesk.Ticket
}

func (d desk) GetTicketHeader(_ context.Context, id string) (helpdesk.Ticket, error) {
	if tk, ok := d.byID[id]; ok {
		return tk, nil
	}
	return helpdesk.Ticket{}, helpdesk.ErrNotFound
}

var closedAt = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

type fixture struct {
	srv *httptest.Server
	svc *appcsat.Service
	d   desk
	now time.Time
}

func newFixture(t *testing.T, b testbed.Backend) *fixture {
	f := &fixture{now: closedAt.Add(time.Hour)}
	f.d = desk{Store: b.Open(t, nil), byID: map[string]helpdesk.Ticket{
		"7": {ID: "7", Subject: "Refund <please>", State: helpdesk.StateClosed, ClosedAt: closedAt, ContactID: "c1", OwnerID: "ann", ChannelID: "email:help"},
		"8": {ID: "8", Subject: "Still open", State: helpdesk.StateOpen, ClosedAt: closedAt.Add(-time.Hour), ContactID: "c1"},
	}}
	f.svc = &appcsat.Service{Store: f.d, Tenant: "acme", Secret: []byte("k"), Now: func() time.Time { return f.now }}
	mux := http.NewServeMux()
	(&csatpage.Handler{Survey: f.svc}).Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fixture) link(id string) string {
	tk := f.d.byID[id]
	return csat.Sign(f.svc.Secret, csat.Token{Tenant: "acme", TicketID: id, ContactID: tk.ContactID, Expires: tk.ClosedAt.Add(csat.Window)})
}

func (f *fixture) get(t *testing.T, token string) (int, string) {
	t.Helper()
	res, err := http.Get(f.srv.URL + "/csat?token=" + url.QueryEscape(token))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (f *fixture) post(t *testing.T, token, score, comment string) (int, string) {
	t.Helper()
	res, err := http.PostForm(f.srv.URL+"/csat", url.Values{"token": {token}, "score": {score}, "comment": {comment}})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestTheLinkRatesOnce(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newFixture(t, b)
		link := f.link("7")
		status, body := f.get(t, link)
		if status != 200 || !strings.Contains(body, `name="score" value="5"`) || !strings.Contains(body, "Refund &lt;please&gt;") {
			t.Fatalf("GET: %d %s", status, body)
		}
		if status, body := f.post(t, link, "4", "Quick"); status != 201 || !strings.Contains(body, `data-score="4"`) {
			t.Fatalf("POST: %d %s", status, body)
		}
		if status, body := f.post(t, link, "1", "Changed my mind"); status != 409 || !strings.Contains(body, "already_rated") {
			t.Fatalf("a second rating: %d %s", status, body)
		}
		if r, err := f.d.GetRating(t.Context(), "7"); err != nil || r.Score != 4 || r.Comment != "Quick" {
			t.Fatalf("the stored rating: %+v, %v", r, err)
		}
		if status, body := f.get(t, link); status != 200 || !strings.Contains(body, `data-score="4"`) || strings.Contains(body, "<form") {
			t.Fatalf("GET after rating: %d %s", status, body)
		}
	})
}

func TestRefusedLinks(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newFixture(t, b)
		link := f.link("7")
		tampered := strings.Replace(link, ".", ".x", 1)
		forged := csat.Sign([]byte("guess"), csat.Token{Tenant: "acme", TicketID: "7", ContactID: "c1", Expires: closedAt.Add(csat.Window)})
		for name, c := range map[string]struct {
			token, score string
			want         int
			reason       string
		}{
			"tampered":     {tampered, "5", 401, "invalid_token"},
			"forged":       {forged, "5", 401, "invalid_token"},
			"missing":      {"", "5", 401, "invalid_token"},
			"open ticket":  {f.link("8"), "5", 409, "ticket_open"},
			"score 9":      {link, "9", 400, "invalid_score"},
			"score absent": {link, "", 400, "invalid_score"},
		} {
			if status, body := f.post(t, c.token, c.score, ""); status != c.want || !strings.Contains(body, `data-reason="`+c.reason+`"`) {
				t.Errorf("%s: POST %d %s, want %d %s", name, status, body, c.want, c.reason)
			}
		}
		if status, _ := f.get(t, tampered); status != 401 {
			t.Errorf("GET with a tampered link: %d, want 401", status)
		}
		if status, body := f.post(t, link, "5", strings.Repeat("x", csat.MaxComment+1)); status != 400 || !strings.Contains(body, "invalid_comment") {
			t.Errorf("a comment over the bound: %d", status)
		}
		f.now = closedAt.Add(csat.Window)
		if status, body := f.post(t, link, "5", ""); status != 409 || !strings.Contains(body, "rating_expired") {
			t.Errorf("28 days after the close: %d %s, want 409 rating_expired", status, body)
		}
		if status, _ := f.get(t, link); status != 409 {
			t.Errorf("GET 28 days after the close: %d, want 409", status)
		}
		if _, err := f.d.GetRating(t.Context(), "7"); err == nil {
			t.Error("a refused rating was stored")
		}
	})
}

// Many posts of one link at once (a double click, a retrying mail
// scanner): exactly one rating, every other answer 409.
func TestConcurrentRatingsOneWins(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newFixture(t, b)
		link := f.link("7")
		statuses := make([]int, 12)
		var wg sync.WaitGroup
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], _ = f.post(t, link, string(rune('1'+i%5)), "")
			}()
		}
		wg.Wait()
		created := 0
		for _, s := range statuses {
			switch s {
			case 201:
				created++
			case 409:
			default:
				t.Errorf("a concurrent rating answered %d", s)
			}
		}
		if created != 1 {
			t.Fatalf("%d of %d concurrent ratings recorded, want 1 (%v)", created, len(statuses), statuses)
		}
	})
}
