package browser

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// Violation is one axe-core rule a page breaks, with the elements that break
// it.
type Violation struct {
	ID      string `json:"id"`     // the rule, e.g. "image-alt", "label", "color-contrast"
	Impact  string `json:"impact"` // minor, moderate, serious or critical
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  string `json:"target"` // CSS path of the element
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

func (v Violation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s <%s>", v.ID, v.Impact, v.Help, v.HelpURL)
	for i, n := range v.Nodes {
		if i == 5 {
			fmt.Fprintf(&b, "\n      ... and %d more", len(v.Nodes)-5)
			break
		}
		fmt.Fprintf(&b, "\n      %s  %s", n.Target, n.HTML)
	}
	return b.String()
}

// Blocking are the violations that fail a test: impact serious or critical
// (the bar; minor and moderate ones are kept in the artifacts).
func Blocking(vs []Violation) []Violation {
	var out []Violation
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			out = append(out, v)
		}
	}
	return out
}

var (
	axeOnce sync.Once
	axeJS   string
	axeErr  error
)

// AxeSource finds axe.min.js: $STACKDESK_AXE_JS, the copy infra/chromium.sh
// puts in .cache/axe-core, or the console's own web/node_modules/axe-core.
func AxeSource() (string, error) {
	axeOnce.Do(func() {
		var tried []string
		candidates := []string{os.Getenv(EnvAxe)}
		if root, err := RepoRoot(); err == nil {
			candidates = append(candidates, filepath.Join(root, ".cache", "axe-core", "axe.min.js"),
				filepath.Join(root, "web", "node_modules", "axe-core", "axe.min.js"))
		}
		for _, c := range candidates {
			if c == "" {
				continue
			}
			raw, err := os.ReadFile(c)
			if err == nil {
				axeJS = string(raw)
				return
			}
			tried = append(tried, c)
		}
		axeErr = fmt.Errorf("no axe.min.js (run infra/chromium.sh, which fetches axe-core; tried %s)", strings.Join(tried, ", "))
	})
	return axeJS, axeErr
}

// axeRun runs every rule axe-core has on by default (WCAG 2.x A and AA, and
// best practices) on the whole document, and hands back the violations as
// JSON text (decoded with encoding/json, not through the protocol's types).
const axeRun = `axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations.map(v => ({
  id: v.id, impact: v.impact || "", help: v.help, helpUrl: v.helpUrl,
  nodes: v.nodes.map(n => ({target: JSON.stringify(n.target), html: n.html, summary: n.failureSummary || ""}))
}))))`

// Axe injects axe-core (once per document; no CDN) and returns every
// violation on the page as it is now.
func (p *Page) Axe() []Violation {
	p.t.Helper()
	src, err := AxeSource()
	if err != nil {
		unavailable(p.t, err.Error())
	}
	if !run(p, "look for axe", chromedp.Evaluate[bool](`typeof window.axe === "object"`)) {
		p.do("inject axe-core", chromedp.Evaluate[chromedp.Void](src))
	}
	raw := run(p, "axe.run", chromedp.Evaluate[string](axeRun, chromedp.EvalAwaitPromise))
	var vs []Violation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		p.fail("axe.run answered %.200s: %v", raw, err)
	}
	return vs
}

// AssertAccessible runs axe-core and fails the test (without stopping it) on
// any serious or critical violation, listing them; every violation found is
// also written to <artifacts>/browser/<test>/<step>.axe.json.
func (p *Page) AssertAccessible(step string) {
	p.t.Helper()
	vs := p.Axe()
	if len(vs) > 0 {
		if raw, err := json.MarshalIndent(vs, "", "  "); err == nil && os.MkdirAll(p.b.artifacts, 0o755) == nil {
			_ = os.WriteFile(filepath.Join(p.b.artifacts, sanitize(step)+".axe.json"), raw, 0o644)
		}
	}
	reportBlocking(p.t, step, vs)
}

func reportBlocking(t testing.TB, step string, vs []Violation) {
	t.Helper()
	bad := Blocking(vs)
	if len(bad) == 0 {
		return
	}
	lines := make([]string, len(bad))
	for i, v := range bad {
		lines[i] = "  " + v.String()
	}
	t.Errorf("axe-core: %d serious or critical violation(s) on %q:\n%s", len(bad), step, strings.Join(lines, "\n"))
}
