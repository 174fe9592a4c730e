// Package browser drives Debian's Chromium (headless, through chromedp) for
// the console's browser tests: pages found by accessible role and name as a
// screen reader would, screenshots kept as test artifacts, and axe-core run on
// every page that matters.
//
//	b := browser.Start(t)               // one Chromium for the test
//	p := b.NewPage()                    // a fresh browser context: own cookies and storage, 1280x800
//	p.Goto(url)
//	p.Fill(browser.Label("Email"), "alice@example.com")
//	p.Click(browser.Role("button", "Sign in"))
//	p.Wait(browser.Role("navigation", "Views"))
//	p.Check("signed-in")                // screenshot + axe: no serious or critical violation
//
// Without Chromium the test is skipped, unless STACKDESK_REQUIRE_BROWSER is
// set (`make test` and CI set it: infra/chromium.sh installs Chromium and
// axe-core), in which case it fails.
package browser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Environment.
const (
	// EnvRequire makes a missing Chromium or axe-core a failure, not a skip.
	EnvRequire = "STACKDESK_REQUIRE_BROWSER"
	// EnvChromium names the browser binary (DefaultChromium if unset).
	EnvChromium = "STACKDESK_CHROMIUM"
	// EnvArtifacts is the artifacts directory (.cache/artifacts of the
	// repository if unset); screenshots go under its browser/ folder.
	EnvArtifacts = "STACKDESK_ARTIFACTS"
	// EnvAxe names axe.min.js (found in the repository if unset).
	EnvAxe = "STACKDESK_AXE_JS"
)

// DefaultChromium is where Debian's chromium package puts the browser.
const DefaultChromium = "/usr/bin/chromium"

// The viewports of the issue: a laptop and a phone.
const (
	DesktopWidth, DesktopHeight = 1280, 800
	NarrowWidth, NarrowHeight   = 390, 844
)

// DefaultTimeout bounds each page action: a lookup, a wait, a navigation.
const DefaultTimeout = 10 * time.Second

// Browser is one headless Chromium process, started for one test and stopped
// when it ends.
type Browser struct {
	t         testing.TB
	ctx       context.Context // the first tab's context: holds the browser
	artifacts string          // this test's screenshot folder
	shots     *int            // screenshot counter shared by the test's pages
	mu        sync.Mutex
	// Started is how long Chromium took to start and answer.
	Started time.Duration
}

// Start launches Chromium for the test (a fresh profile in a temporary
// folder, stopped at cleanup), or skips the test when Chromium is missing and
// STACKDESK_REQUIRE_BROWSER is not set.
func Start(t testing.TB) *Browser {
	t.Helper()
	exe := os.Getenv(EnvChromium)
	if exe == "" {
		exe = DefaultChromium
	}
	if _, err := os.Stat(exe); err != nil {
		unavailable(t, fmt.Sprintf("browser test needs Chromium at %s (run infra/chromium.sh, or `make test`, which does)", exe))
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
		// As root (CI, this machine) Chromium refuses to start sandboxed;
		// chromedp adds --no-sandbox then by itself.
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(string, ...any) {}))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	began := time.Now()
	if err := chromedp.Do(ctx); err != nil { // starts the browser, with no timeout
		t.Fatalf("start chromium %s: %v", exe, err)
	}
	b := &Browser{t: t, ctx: ctx, Started: time.Since(began), shots: new(int)}
	b.artifacts = filepath.Join(ArtifactsDir(), "browser", sanitize(t.Name()))
	// A test's folder holds this run's screenshots only.
	if err := os.RemoveAll(b.artifacts); err != nil {
		t.Fatal(err)
	}
	return b
}

// Open starts a browser and opens one page in it: the common case.
func Open(t testing.TB) *Page {
	t.Helper()
	return Start(t).NewPage()
}

// ArtifactsDir is where test artifacts go: $STACKDESK_ARTIFACTS, or
// .cache/artifacts in the repository.
func ArtifactsDir() string {
	if d := os.Getenv(EnvArtifacts); d != "" {
		return d
	}
	if root, err := RepoRoot(); err == nil {
		return filepath.Join(root, ".cache", "artifacts")
	}
	return filepath.Join(os.TempDir(), "stackdesk-artifacts")
}

// RepoRoot is the folder of go.mod above the working directory (a test runs
// in its package's folder).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// unavailable skips, or fails under STACKDESK_REQUIRE_BROWSER.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if os.Getenv(EnvRequire) != "" {
		t.Fatal(msg + " [" + EnvRequire + " is set]")
	}
	t.Skip(msg)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func sanitize(s string) string { return unsafeName.ReplaceAllString(s, "_") }

// nextShot numbers the test's screenshots so their files sort in the order
// they were taken.
func (b *Browser) nextShot() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	*b.shots++
	return *b.shots
}
