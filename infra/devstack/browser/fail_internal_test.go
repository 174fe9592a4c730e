package browser

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps what a page reports instead of failing
// the real test, so a test can show the harness fails when it must.
type recorder struct {
	testing.TB
	errors []string
	fatal  bool
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.errors = append(r.errors, fmt.Sprintf(f, a...)) }
func (r *recorder) Fatal(a ...any) {
	r.errors = append(r.errors, fmt.Sprint(a...))
	r.fatal = true
	runtime.Goexit()
}
func (r *recorder) Fatalf(f string, a ...any) { r.Fatal(fmt.Sprintf(f, a...)) }

// reported runs f on p with its failures recorded, and returns them.
func reported(p *Page, f func()) *recorder {
	rec := &recorder{TB: p.t}
	real := p.t
	p.t = rec
	defer func() { p.t = real }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
	return rec
}

const brokenPage = `<!doctype html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="/pixel.png"><button>Send</button></main></body></html>`

func brokenServer(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, brokenPage)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Check fails the test on a critical violation and names it.
func TestCheckFailsOnACriticalViolation(t *testing.T) {
	url := brokenServer(t)
	p := Open(t)
	p.Goto(url)
	rec := reported(p, func() { p.Check("broken") })
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "image-alt (critical)") ||
		!strings.Contains(rec.errors[0], `<img src="/pixel.png">`) {
		t.Errorf("Check reported %q", rec.errors)
	}
}

// A lookup that finds nothing fails the test, and says what the page has
// instead, with a screenshot.
func TestAMissingElementFailsAndShowsThePage(t *testing.T) {
	url := brokenServer(t)
	p := Open(t)
	p.Goto(url)
	p.Timeout = time.Second
	rec := reported(p, func() { p.Click(Role("button", "Sign in")) })
	if !rec.fatal || len(rec.errors) != 1 {
		t.Fatalf("reported %q (fatal %v)", rec.errors, rec.fatal)
	}
	t.Logf("what a journey sees when a lookup fails:\n%s", rec.errors[0])
	for _, want := range []string{`click button "Sign in": not there after 1s`, `button "Send"`, `heading "Broken"`, "FAILED.png"} {
		if !strings.Contains(rec.errors[0], want) {
			t.Errorf("the failure lacks %q:\n%s", want, rec.errors[0])
		}
	}
}
