package browser

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

func mustJSON(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return raw
}

// Page is one tab in a browser context of its own (its own cookies, storage
// and cache, like a fresh profile): two pages are two agents. Its methods
// fail the test on error, after a screenshot, the page's roles and names,
// and its console errors, so a failed journey says what the page showed.
type Page struct {
	t       testing.TB
	b       *Browser
	ctx     context.Context
	Timeout time.Duration // of each action (DefaultTimeout)

	mu      sync.Mutex
	console []string // console errors and uncaught exceptions, in order
}

// NewPage opens a tab in a new browser context at 1280x800; it closes when
// the test ends.
func (b *Browser) NewPage() *Page {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	// The first action opens the tab and ties it to the context it runs
	// with: the page's own, not one with an action's timeout.
	if err := chromedp.Do(ctx); err != nil {
		b.t.Fatalf("open a tab: %v", err)
	}
	p := &Page{t: b.t, b: b, ctx: ctx, Timeout: DefaultTimeout}
	p.Desktop()
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				p.mu.Lock()
				p.console = append(p.console, m.String())
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// Context is the page's chromedp context, for what the helpers lack:
// chromedp.Run(p.Context(), ...).
func (p *Page) Context() context.Context { return p.ctx }

// Desktop sets the viewport to 1280x800 (the default).
func (p *Page) Desktop() { p.Viewport(DesktopWidth, DesktopHeight) }

// Narrow sets the viewport to a phone's, 390x844 with touch.
func (p *Page) Narrow() {
	p.t.Helper()
	p.do("narrow viewport", chromedp.EmulateViewport(NarrowWidth, NarrowHeight, chromedp.EmulateTouch))
}

// Viewport sets the viewport to width x height CSS pixels.
func (p *Page) Viewport(width, height int64) {
	p.t.Helper()
	p.do(fmt.Sprintf("viewport %dx%d", width, height), chromedp.EmulateViewport(width, height))
}

// Goto navigates to url and waits for its load event.
func (p *Page) Goto(url string) {
	p.t.Helper()
	p.do("go to "+url, chromedp.Navigate(url))
}

// Click clicks the element (waiting until it is there and visible).
func (p *Page) Click(l Locator) {
	p.t.Helper()
	p.do("click "+l.String(), chromedp.Click(l.String(), l.opts()...))
}

// Fill replaces the text of a field with text, typed key by key as a person
// would (so the page sees input events).
func (p *Page) Fill(l Locator, text string) {
	p.t.Helper()
	p.do(fmt.Sprintf("fill %s", l), chromedp.Clear(l.String(), append(l.opts(), chromedp.NodeVisible)...),
		chromedp.SendKeys(l.String(), text, l.opts()...))
}

// selectJS picks the option whose text is label, as a person choosing it
// does: the page gets input and change events.
const selectJS = `function(label) {
  const o = [...this.options].find(o => o.label === label || o.text.trim() === label);
  if (!o) throw new Error("no option " + JSON.stringify(label) + " in " + JSON.stringify([...this.options].map(o => o.text.trim())));
  this.value = o.value;
  this.dispatchEvent(new Event("input", {bubbles: true}));
  this.dispatchEvent(new Event("change", {bubbles: true}));
}`

// Select chooses the option with this text in a <select> (a combobox or
// listbox by role: find it with Label).
func (p *Page) Select(l Locator, option string) {
	p.t.Helper()
	p.do(fmt.Sprintf("select %q in %s", option, l), chromedp.QueryAfter(l.String(),
		func(ctx context.Context, t *chromedp.Target, nodes []*chromedp.Node) (chromedp.Void, error) {
			obj, err := cdp.Call(ctx, t, dom.ResolveNode, dom.ResolveNodeParams{NodeID: nodes[0].NodeID})
			if err != nil {
				return chromedp.Void{}, err
			}
			res, err := cdp.Call(ctx, t, runtime.CallFunctionOn, runtime.CallFunctionOnParams{
				FunctionDeclaration: selectJS, ObjectID: obj.Object.ObjectID,
				Arguments: []*runtime.CallArgument{{Value: mustJSON(option)}}})
			if err == nil && res.ExceptionDetails != nil {
				err = &chromedp.ExceptionError{ExceptionDetails: res.ExceptionDetails}
			}
			return chromedp.Void{}, err
		}, append(l.opts(), chromedp.NodeVisible)...))
}

// Reload reloads the page and waits for its load event.
func (p *Page) Reload() {
	p.t.Helper()
	p.do("reload", chromedp.Reload())
}

// Press types keys into whatever has the focus: keyboard shortcuts ("j",
// "?"), or "\r" for Enter.
func (p *Page) Press(keys string) {
	p.t.Helper()
	p.do(fmt.Sprintf("press %q", keys), chromedp.KeyEvent(keys))
}

// Wait waits until the element is there and visible.
func (p *Page) Wait(l Locator) {
	p.t.Helper()
	p.do("wait for "+l.String(), chromedp.WaitVisible(l.String(), l.opts()...))
}

// WaitGone waits until no such element is in the page.
func (p *Page) WaitGone(l Locator) {
	p.t.Helper()
	p.do("wait until gone: "+l.String(), chromedp.WaitNotPresent(l.String(), l.opts()...))
}

// Has says whether the element is in the page now (no wait).
func (p *Page) Has(l Locator) bool {
	p.t.Helper()
	return run(p, "look for "+l.String(), chromedp.QueryAfter(l.String(),
		func(_ context.Context, _ *chromedp.Target, nodes []*chromedp.Node) (bool, error) {
			return len(nodes) > 0, nil
		},
		append(l.opts(), chromedp.AtLeast(0))...))
}

// Text is the visible text of the element (waiting until it is there).
func (p *Page) Text(l Locator) string {
	p.t.Helper()
	return run(p, "read "+l.String(), chromedp.Text(l.String(), append(l.opts(), chromedp.NodeVisible)...))
}

// WaitText waits until the page's visible text contains s.
func (p *Page) WaitText(s string) {
	p.t.Helper()
	p.waitFor(fmt.Sprintf("text %q", s), func(ctx context.Context) (bool, error) {
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
		return strings.Contains(body, s), err
	})
}

// WaitTextIn waits until the element's visible text matches re, and returns
// the match and its groups: a live count is
// p.WaitTextIn(browser.Role("navigation", "Views"), `Unassigned\s+(\d+)`)[1].
func (p *Page) WaitTextIn(l Locator, re string) []string {
	p.t.Helper()
	rx := regexp.MustCompile(re)
	var m []string
	p.waitFor(fmt.Sprintf("/%s/ in %s", re, l), func(ctx context.Context) (bool, error) {
		text, err := chromedp.Run(ctx, chromedp.Text(l.String(), append(l.opts(), chromedp.NodeVisible)...))
		m = rx.FindStringSubmatch(text)
		return m != nil, err
	})
	return m
}

// Eval runs a JavaScript expression (a promise is awaited) and returns its
// JSON value decoded into T.
func Eval[T any](p *Page, js string) T {
	p.t.Helper()
	return run(p, "eval "+js, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
}

// Location is the page's URL.
func (p *Page) Location() string {
	p.t.Helper()
	return run(p, "location", chromedp.Location())
}

// Shot saves a full-page PNG as <artifacts>/browser/<test>/<NN>-<step>.png
// and returns its path.
func (p *Page) Shot(step string) string {
	p.t.Helper()
	path, err := p.shot(step)
	if err != nil {
		p.fail("screenshot %s: %v", step, err)
	}
	return path
}

func (p *Page) shot(step string) (string, error) {
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout())
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(p.b.artifacts, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(p.b.artifacts, fmt.Sprintf("%02d-%s.png", p.b.nextShot(), sanitize(step)))
	return path, os.WriteFile(path, png, 0o644)
}

// Check is what every page of a journey gets: a screenshot, and axe-core,
// failing the test on any serious or critical violation.
func (p *Page) Check(step string) {
	p.t.Helper()
	p.Shot(step)
	p.AssertAccessible(step)
}

// ConsoleErrors are the console errors and uncaught exceptions so far.
func (p *Page) ConsoleErrors() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.console...)
}

func (p *Page) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

// do runs actions under the page's timeout; an error fails the test.
func (p *Page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout())
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		p.fail("%s: %v", what, explain(err, p.timeout()))
	}
}

func run[T any](p *Page, what string, a chromedp.Action[T]) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout())
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		p.fail("%s: %v", what, explain(err, p.timeout()))
	}
	return v
}

// waitFor polls ok every 100 ms until it holds or the page's timeout ends.
func (p *Page) waitFor(what string, ok func(context.Context) (bool, error)) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, p.timeout())
	defer cancel()
	for {
		done, err := ok(ctx)
		if done {
			return
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			p.fail("wait for %s: %v", what, explain(err, p.timeout()))
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func explain(err error, d time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("not there after %s", d)
	}
	return err
}

// fail records what the page shows, then fails the test.
func (p *Page) fail(format string, args ...any) {
	p.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if path, err := p.shot("FAILED"); err == nil {
		msg += "\n  screenshot: " + path
	}
	ctx, cancel := context.WithTimeout(p.ctx, 5*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		lines, err := outline(ctx, t)
		if len(lines) > 60 {
			lines = append(lines[:60], "...")
		}
		if len(lines) > 0 {
			msg += "\n  the page has:\n    " + strings.Join(lines, "\n    ")
		}
		return err
	})); err != nil {
		msg += "\n  (no accessibility outline: " + err.Error() + ")"
	}
	if errs := p.ConsoleErrors(); len(errs) > 0 {
		msg += "\n  console:\n    " + strings.Join(errs, "\n    ")
	}
	p.t.Fatal(msg)
}
