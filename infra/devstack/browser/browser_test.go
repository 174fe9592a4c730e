package browser_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
)

// fixture is a small page shaped like the console's: a labelled form whose
// answer comes by fetch, and a count that a poll keeps live.
const fixture = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Harness fixture</title>
<style>body { font: 16px sans-serif; margin: 2rem; } button { padding: .4rem 1rem; }</style></head>
<body>
<nav aria-label="Views"><a href="#open">My open <span id="count">0</span></a></nav>
<main>
  <h1>Say hello</h1>
  <form id="hello">
    <label for="name">Your name</label>
    <input id="name" name="name" autocomplete="name">
    <label for="secret">Password</label>
    <input id="secret" name="secret" type="password" autocomplete="current-password">
    <button type="submit">Send</button>
  </form>
  <p role="status" id="greeting"></p>
  <label for="prio">Priority</label>
  <select id="prio"><option>Low</option><option selected>Medium</option><option>High</option></select>
  <p id="prio-said"></p>
</main>
<script>
document.getElementById("hello").addEventListener("submit", async (e) => {
  e.preventDefault();
  const r = await fetch("/hello", {method: "POST", body: new FormData(e.target)});
  document.getElementById("greeting").textContent = await r.text();
});
document.getElementById("prio").addEventListener("change", (e) => {
  document.getElementById("prio-said").textContent = "Priority is " + e.target.value;
});
setInterval(async () => {
  const r = await fetch("/count");
  document.getElementById("count").textContent = await r.text();
}, 200);
</script>
</body>
</html>`

// broken breaks two rules axe-core rates critical: an image with no text
// alternative and a field with no label.
const broken = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Broken fixture</title></head>
<body><main>
  <h1>Broken</h1>
  <img src="/pixel.png">
  <input id="nolabel" name="q">
</main></body>
</html>`

type fixtureServer struct {
	*httptest.Server
	loads atomic.Int32 // GET / served: a reload would count twice
	count atomic.Int32 // what /count answers: "another agent" changes it
}

func serve(t *testing.T) *fixtureServer {
	t.Helper()
	s := &fixtureServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		s.loads.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, fixture)
	})
	mux.HandleFunc("GET /broken", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, broken)
	})
	mux.HandleFunc("POST /hello", func(w http.ResponseWriter, r *http.Request) {
		if r.FormValue("secret") != "s3cret" {
			fmt.Fprint(w, "Wrong password")
			return
		}
		fmt.Fprintf(w, "Hello, %s!", r.FormValue("name"))
	})
	mux.HandleFunc("GET /count", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, s.count.Load())
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

// The harness's whole loop on one page: find fields by label and a button by
// role and name, type, click, see the answer arrive and a count change live
// without a reload, screenshot, axe-core with nothing serious.
func TestHarnessDrivesAFormAndSeesLiveChanges(t *testing.T) {
	srv := serve(t)
	began := time.Now()
	b := browser.Start(t)
	p := b.NewPage()
	t.Logf("chromium started in %s, first page ready after %s", b.Started.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))

	journey := time.Now()
	p.Goto(srv.URL)
	p.Wait(browser.Role("heading", "Say hello"))
	p.Check("form")

	p.Fill(browser.Label("Your name"), "Ann")
	p.Fill(browser.Label("Password"), "s3cret")
	p.Click(browser.Role("button", "Send"))
	p.WaitText("Hello, Ann!")
	if got := p.Text(browser.Role("status", "")); got != "Hello, Ann!" {
		t.Errorf("status says %q", got)
	}

	// Someone else's change shows up by the page's own polling.
	srv.count.Store(3)
	if m := p.WaitTextIn(browser.Role("navigation", "Views"), `My open (3)`); m[1] != "3" {
		t.Errorf("count = %v", m)
	}
	if n := srv.loads.Load(); n != 1 {
		t.Errorf("the page was loaded %d times: the change came by reload", n)
	}
	p.Select(browser.Label("Priority"), "High")
	p.WaitText("Priority is High")
	p.Check("answered")
	t.Logf("journey (navigate, 2 axe runs, 2 screenshots, type, click, select, 3 waits) took %s", time.Since(journey).Round(time.Millisecond))
	p.Reload()
	if n := srv.loads.Load(); n != 2 {
		t.Errorf("after a reload the page was loaded %d times", n)
	}

	// The screenshots are there, in the order taken, as PNG.
	dir := browser.ArtifactsDir() + "/browser/" + t.Name()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"01-form.png", "02-answered.png"}) {
		t.Errorf("artifacts in %s: %v", dir, names)
	}
	raw, err := os.ReadFile(dir + "/01-form.png")
	if err != nil || !strings.HasPrefix(string(raw), "\x89PNG") {
		t.Errorf("01-form.png is not a PNG (%d bytes, %v)", len(raw), err)
	}
}

// Two pages are two people: what one types and stores is not in the other.
func TestPagesAreSeparateBrowserContexts(t *testing.T) {
	srv := serve(t)
	b := browser.Start(t)
	ann, bob := b.NewPage(), b.NewPage()
	ann.Goto(srv.URL)
	bob.Goto(srv.URL)
	browser.Eval[bool](ann, `localStorage.setItem("who", "ann"), true`)
	if who := browser.Eval[string](bob, `localStorage.getItem("who") || ""`); who != "" {
		t.Errorf("bob's storage holds ann's %q", who)
	}
	if who := browser.Eval[string](ann, `localStorage.getItem("who")`); who != "ann" {
		t.Errorf("ann's storage holds %q", who)
	}
}

// The narrow viewport is a phone's, and the screenshot is that size.
func TestNarrowViewport(t *testing.T) {
	srv := serve(t)
	p := browser.Open(t)
	p.Goto(srv.URL)
	if w := browser.Eval[int](p, `window.innerWidth`); w != browser.DesktopWidth {
		t.Errorf("desktop width %d", w)
	}
	p.Narrow()
	if w := browser.Eval[int](p, `window.innerWidth`); w != browser.NarrowWidth {
		t.Errorf("narrow width %d", w)
	}
	// A journey goes on as usual there.
	p.Fill(browser.Label("Your name"), "Bob")
	p.Click(browser.Role("button", "Send"))
	p.WaitText("Wrong password")
	p.Check("narrow")
}

// axe-core finds what is wrong: the check can fail.
func TestAxeReportsSeriousViolations(t *testing.T) {
	srv := serve(t)
	p := browser.Open(t)
	p.Goto(srv.URL + "/broken")
	p.Shot("broken")
	vs := browser.Blocking(p.Axe())
	var ids []string
	for _, v := range vs {
		ids = append(ids, v.ID+":"+v.Impact)
	}
	slices.Sort(ids)
	for _, want := range []string{"image-alt:critical", "label:critical"} {
		if !slices.Contains(ids, want) {
			t.Errorf("violations %v lack %s", ids, want)
		}
	}
	// And Has sees what is there and what is not, without waiting.
	if !p.Has(browser.Role("heading", "Broken")) || p.Has(browser.Role("button", "Send")) {
		t.Error("Has is wrong")
	}
}
