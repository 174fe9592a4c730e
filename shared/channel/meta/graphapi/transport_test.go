package graphapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var textMsg = graphapi.MessengerMessage{PSID: "P", MessagingType: "RESPONSE", Text: "x"}

// hangGuard is how long a call may run before a test calls it hung: a
// minute, far beyond a busy -race runner, or less when go test's -timeout
// would stop the binary first, so the test fails with its own message.
func hangGuard(t *testing.T) time.Duration {
	d := time.Minute
	if deadline, ok := t.Deadline(); ok {
		d = min(d, time.Until(deadline)*9/10)
	}
	return d
}

func serve(t *testing.T, h http.HandlerFunc) *graphapi.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return graphapi.New(srv.URL, "", nil)
}

func TestNonJSONError(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><body>"+strings.Repeat("Bad Gateway ", 100)+"</body></html>")
	})
	_, err := c.SendMessenger(context.Background(), "tok", "1", textMsg)
	var ge *graphapi.Error
	if !errors.As(err, &ge) {
		t.Fatalf("err = %v (%T)", err, err)
	}
	if ge.HTTPStatus != 502 || ge.Code != 0 || !strings.HasPrefix(ge.Message, "<html><body>Bad Gateway") ||
		len(ge.Message) > 210 || !strings.HasSuffix(ge.Message, "…") {
		t.Errorf("error = %+v", ge)
	}
	if !strings.HasPrefix(err.Error(), "graph api: HTTP 502: <html>") {
		t.Errorf("Error() = %q", err.Error())
	}
	if !graphapi.Retryable(err) {
		t.Error("502 not retryable")
	}
}

func TestEmptyErrorBody(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) })
	_, err := c.SendMessenger(context.Background(), "tok", "1", textMsg)
	if err == nil || err.Error() != "graph api: HTTP 403: Forbidden" || graphapi.Retryable(err) {
		t.Errorf("err = %v, retryable %v", err, graphapi.Retryable(err))
	}
}

func TestTransientFlagAndStringErrorData(t *testing.T) {
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":{"message":"(#9999) Something odd","type":"OAuthException","code":9999,"error_data":"try later","is_transient":true,"fbtrace_id":"T1"}}`)
	})
	_, err := c.SendMessenger(context.Background(), "tok", "1", textMsg)
	var ge *graphapi.Error
	if !errors.As(err, &ge) || !ge.Transient || ge.Details != "try later" || ge.Message != "Something odd" {
		t.Fatalf("err = %#v", err)
	}
	if !graphapi.Retryable(err) {
		t.Error("is_transient error not retryable")
	}
}

func TestSlowServer(t *testing.T) {
	release := make(chan struct{})
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)

	// An http.Client without a timeout of its own, so only the context's
	// deadline can end the request: if the deadline is ignored, the request
	// hangs (the handler waits for release) instead of ending late, and the
	// watchdog reports it. The watchdog tells a stuck call from a finished
	// one, not fast from slow, so it is generous: no busy -race runner takes
	// a minute over a 50 ms deadline.
	noTimeout := graphapi.New(c.BaseURL, "", &http.Client{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := noTimeout.SendMessenger(ctx, "secret-token", "1", textMsg)
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(hangGuard(t)):
		t.Fatal("the context deadline did not stop the request")
	}
	var te *graphapi.TransportError
	if !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v (%T)", err, err)
	}
	if !graphapi.Retryable(err) {
		t.Error("timeout not retryable")
	}
	if strings.Contains(err.Error(), "secret-token") || !strings.Contains(err.Error(), "POST ") {
		t.Errorf("Error() = %q", err.Error())
	}

	// The HTTP client's own timeout is retryable too.
	slow := graphapi.New(c.BaseURL, "", &http.Client{Timeout: 50 * time.Millisecond})
	if _, err := slow.SendMessenger(context.Background(), "tok", "1", textMsg); !graphapi.Retryable(err) {
		t.Errorf("client timeout: %v not retryable", err)
	}

	// A cancellation by the caller is not.
	ctx, cancel2 := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel2() }()
	_, err = c.SendMessenger(ctx, "tok", "1", textMsg)
	if !errors.Is(err, context.Canceled) || graphapi.Retryable(err) {
		t.Errorf("cancelled: %v, retryable %v", err, graphapi.Retryable(err))
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := graphapi.New(url, "", nil).SendMessenger(context.Background(), "tok", "1", textMsg)
	var te *graphapi.TransportError
	if !errors.As(err, &te) || !graphapi.Retryable(err) {
		t.Errorf("err = %v (%T), retryable %v", err, err, graphapi.Retryable(err))
	}
}

func TestOddSuccessAnswers(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"no message id", `{"recipient_id":"P"}`},
		{"not JSON", `<html>ok</html>`},
		{"over 1 MiB", `{"recipient_id":"` + strings.Repeat("a", 1<<20) + `","message_id":"m_1"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serve(t, func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, tt.body) })
			_, err := c.SendMessenger(context.Background(), "tok", "1", textMsg)
			if err == nil {
				t.Fatal("no error")
			}
			// The message may have gone out: retrying could send it twice.
			if graphapi.Retryable(err) {
				t.Errorf("%v is retryable", err)
			}
		})
	}
}

func TestRequestHeaders(t *testing.T) {
	var got http.Header
	var path, query string
	c := serve(t, func(w http.ResponseWriter, r *http.Request) {
		got, path, query = r.Header.Clone(), r.URL.Path, r.URL.RawQuery
		fmt.Fprint(w, `{"recipient_id":"P","message_id":"m_9"}`)
	})
	c.Version = "v19.0"
	if _, err := c.SendMessenger(context.Background(), "tok123", "42", textMsg); err != nil {
		t.Fatal(err)
	}
	if got.Get("Authorization") != "Bearer tok123" || got.Get("Content-Type") != "application/json" || path != "/v19.0/42/messages" || query != "" {
		t.Errorf("headers %v, path %q, query %q", got, path, query)
	}
}

func TestRetryable(t *testing.T) {
	ge := func(status, code int) error { return &graphapi.Error{HTTPStatus: status, Code: code} }
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"context canceled", context.Canceled, false},
		{"wrapped cancel in transport", &graphapi.TransportError{Op: "POST x", Err: context.Canceled}, false},
		{"deadline in transport", &graphapi.TransportError{Op: "POST x", Err: context.DeadlineExceeded}, true},
		{"transport", &graphapi.TransportError{Op: "POST x", Err: errors.New("connection reset")}, true},
		{"wrapped transport", fmt.Errorf("send: %w", &graphapi.TransportError{Op: "POST x", Err: errors.New("eof")}), true},
		{"validation", helpdesk.Errorf(helpdesk.EInvalid, "text_too_long", "x"), false},
		{"plain error", errors.New("x"), false},
		{"http 500", ge(500, 0), true},
		{"http 503 code 2", ge(503, 2), true},
		{"http 429", ge(429, 0), true},
		{"wrapped 429", fmt.Errorf("outbound: %w", ge(429, 4)), true},
		{"is_transient", &graphapi.Error{HTTPStatus: 400, Code: 100, Transient: true}, true},
	}
	for _, code := range []int{1, 2, 4, 17, 32, 341, 613, 1200, 80007, 130429, 131016, 131048, 131056, 133004} {
		tests = append(tests, struct {
			name string
			err  error
			want bool
		}{fmt.Sprintf("code %d", code), ge(400, code), true})
	}
	for _, code := range []int{3, 10, 100, 190, 200, 230, 368, 551, 2018278, 131000, 131026, 131047, 131051, 132000} {
		tests = append(tests, struct {
			name string
			err  error
			want bool
		}{fmt.Sprintf("code %d", code), ge(400, code), false})
	}
	for _, tt := range tests {
		if got := graphapi.Retryable(tt.err); got != tt.want {
			t.Errorf("%s: Retryable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
