package portalfuzz_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/fuzzapi"
	"github.com/stackdesk/stackdesk/shared/api/csatpage"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

// closedDesk serves two ticket headers (7 closed, 8 open) over memstore,
// where ratings go.
type closedDesk struct {
	*memstore.Store
	byID map[string]helpdesk.Ticket
}

func (d closedDesk) GetTicketHeader(_ context.Context, id string) (helpdesk.Ticket, error) {
	if t, ok := d.byID[id]; ok {
		return t, nil
	}
	return helpdesk.Ticket{}, helpdesk.ErrNotFound
}

// The survey page (/csat) and the unsubscribe link (/unsubscribe), fuzzed
// by schemathesis from their OpenAPI documents (held against their
// routers by shared/api/csatpage's and shared/api/webhook's tests), with
// good tokens mixed into the generated ones: no input may get a 5xx or an
// answer the documents do not describe.
func TestSurveyAndUnsubscribeFuzzedFromTheirOpenAPIDocuments(t *testing.T) {
	bin := fuzzapi.Bin(t)
	now := time.Now().UTC()
	closedAt := now.Add(-time.Hour)
	st := memstore.New()
	d := closedDesk{Store: st, byID: map[string]helpdesk.Ticket{
		"7": {ID: "7", Subject: "Refund", State: helpdesk.StateClosed, ClosedAt: closedAt, ContactID: "c1"},
		"8": {ID: "8", Subject: "Open", State: helpdesk.StateOpen, ClosedAt: closedAt, ContactID: "c1"},
	}}
	svc := &appcsat.Service{Store: d, Tenant: "acme", Secret: []byte("csat-key")}
	key := unsubscribe.Key([]byte("reply-token-secret-of-the-stack"))
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	(&csatpage.Handler{Survey: svc, Log: quiet}).Register(mux)
	(&webhook.Unsubscribe{Key: key, Store: st, Log: quiet}).Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	var tokens []string
	for _, id := range []string{"7", "8"} {
		tokens = append(tokens, csat.Sign(svc.Secret, csat.Token{Tenant: "acme", TicketID: id, ContactID: "c1", Expires: closedAt.Add(csat.Window)}))
	}
	for _, k := range []helpdesk.CustomerNotifyKind{helpdesk.CustomerClosed, helpdesk.CustomerReply} {
		tok, err := unsubscribe.Token(key, "c1", k)
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	list := ""
	for _, tok := range tokens {
		list += `"` + tok + `", `
	}
	config := write("schemathesis.toml", []byte("[dictionaries.tokens]\nvalues = ["+list+"]\n\n[parameters]\n\"query.token\" = { dictionary = \"tokens\", probability = 0.5 }\n"))
	ctx, cancel := context.WithTimeout(context.Background(), time.Duration(max(1, fuzzapi.Examples()/fuzzapi.DefaultExamples))*4*time.Minute)
	defer cancel()
	// The form's token is a body field, which the dictionary does not
	// reach: the run's copy of the document names the good tokens as its
	// examples' enum, so positive cases rate and negative ones are forged.
	csatDoc := bytes.Replace(csatpage.OpenAPI, []byte("token: { type: string, maxLength: 1000 }"),
		[]byte("token: { type: string, enum: ["+list+"] }"), 1)
	for _, r := range []fuzzapi.Run{
		{Name: "survey page", Doc: write("csat.yaml", csatDoc), URL: srv.URL, Config: config, Secrets: tokens},
		{Name: "unsubscribe", Doc: write("unsubscribe.yaml", webhook.UnsubscribeOpenAPI), URL: srv.URL, Config: config, Secrets: tokens},
	} {
		summary, output, err := r.Do(ctx, t, bin)
		t.Logf("schemathesis on the %s: %s", r.Name, summary)
		if err != nil {
			t.Errorf("schemathesis on the %s failed: %v\n%s", r.Name, err, output)
		}
	}
	// The runs reached past the token checks: ticket 7 was rated, c1 unsubscribed.
	if _, err := st.GetRating(context.Background(), "7"); err != nil {
		t.Errorf("no generated form rated ticket 7: %v", err)
	}
	if got, err := st.OptOuts(context.Background(), "c1"); err != nil || len(got) == 0 {
		t.Errorf("no generated request unsubscribed c1: %v %v", got, err)
	}
}
