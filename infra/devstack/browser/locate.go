package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"
)

// Locator finds elements the way a person using a screen reader does: by the
// role and the accessible name Chromium itself computes (its accessibility
// tree, through Accessibility.queryAXTree, as Puppeteer's aria/ selectors do).
// So a journey does not depend on CSS classes or markup, and an element a
// journey cannot find by name is one a screen reader user cannot find either.
type Locator struct {
	role  string         // computed role: button, link, textbox, navigation, heading...
	name  string         // exact accessible name ("" with match or any)
	match *regexp.Regexp // accessible name pattern, when not exact
	roles []string       // allowed roles when role is "" (labelled form fields)
	css   string         // CSS selector instead (escape hatch)
	desc  string
}

// Role is the element with this role and exactly this accessible name, e.g.
// Role("button", "Sign in"), Role("navigation", "Views"), Role("heading",
// "My open"). An empty name matches any name.
func Role(role, name string) Locator {
	return Locator{role: role, name: name, desc: fmt.Sprintf("%s %q", role, name)}
}

// RoleMatching is the element with this role whose accessible name matches
// re, e.g. RoleMatching("link", `^Unassigned\b`) for a view link that ends in
// its live count.
func RoleMatching(role, re string) Locator {
	return Locator{role: role, match: regexp.MustCompile(re), desc: fmt.Sprintf("%s /%s/", role, re)}
}

// fieldRoles are the roles of form fields a <label> (or aria-label) names.
var fieldRoles = []string{"textbox", "searchbox", "combobox", "spinbutton", "checkbox", "radio",
	"switch", "slider", "listbox"}

// Label is the form field labelled name (by <label>, aria-label or
// aria-labelledby), whatever its role: a text or password box, a select, a
// checkbox.
func Label(name string) Locator {
	return Locator{name: name, roles: fieldRoles, desc: fmt.Sprintf("field labelled %q", name)}
}

// CSS is an escape hatch for what has no role or name (prefer Role).
func CSS(selector string) Locator {
	return Locator{css: selector, desc: "css " + selector}
}

func (l Locator) String() string { return l.desc }

// opts are the chromedp query options of l: chromedp retries the lookup
// until it finds a node (and the node is visible, for the actions that need
// it) or the action's context ends; every 50 ms rather than chromedp's 5, as
// each try computes the accessibility tree.
func (l Locator) opts() []chromedp.QueryOption {
	return []chromedp.QueryOption{chromedp.RetryInterval(50 * time.Millisecond),
		chromedp.ByFunc(func(ctx context.Context, t *chromedp.Target, n *chromedp.Node) ([]cdp.NodeID, error) {
			return l.find(ctx, t, n.NodeID)
		})}
}

func (l Locator) find(ctx context.Context, t *chromedp.Target, root cdp.NodeID) ([]cdp.NodeID, error) {
	if l.css != "" {
		res, err := cdp.Call(ctx, t, dom.QuerySelectorAll, dom.QuerySelectorAllParams{NodeID: root, Selector: l.css})
		return res.NodeIDs, err
	}
	res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{
		NodeID: root, AccessibleName: l.name, Role: l.role})
	if err != nil {
		return nil, fmt.Errorf("query the accessibility tree for %s: %w", l, err)
	}
	var backend []cdp.BackendNodeID
	for _, an := range res.Nodes {
		if an.Ignored || an.BackendDOMNodeID == 0 {
			continue
		}
		if l.match != nil && !l.match.MatchString(axString(an.Name)) {
			continue
		}
		if l.roles != nil && !slices.Contains(l.roles, axString(an.Role)) {
			continue
		}
		backend = append(backend, an.BackendDOMNodeID)
	}
	if len(backend) == 0 {
		return []cdp.NodeID{}, nil
	}
	pushed, err := cdp.Call(ctx, t, dom.PushNodesByBackendIDsToFrontend,
		dom.PushNodesByBackendIDsToFrontendParams{BackendNodeIDs: backend})
	return pushed.NodeIDs, err
}

// axString is the string of an accessibility value ("" if none).
func axString(v *accessibility.Value) string {
	if v == nil || len(v.Value) == 0 {
		return ""
	}
	var s string
	if err := json.Unmarshal(v.Value, &s); err != nil {
		return strings.Trim(string(v.Value), `"`)
	}
	return s
}

// outlineRoles are the roles worth listing when a lookup fails: what a
// journey can click, type into or wait for.
var outlineRoles = map[string]bool{"button": true, "link": true, "textbox": true, "searchbox": true,
	"combobox": true, "checkbox": true, "radio": true, "switch": true, "tab": true, "menuitem": true,
	"navigation": true, "main": true, "banner": true, "complementary": true, "dialog": true, "alert": true,
	"alertdialog": true, "status": true, "heading": true, "table": true, "grid": true, "row": true, "list": true,
	"listitem": true, "form": true, "region": true, "spinbutton": true, "option": true, "listbox": true}

// outline lists the page's roles and names, so a failed lookup shows what
// the page offers instead (and a journey is quick to adapt to the markup).
func outline(ctx context.Context, t *chromedp.Target) ([]string, error) {
	doc, err := cdp.Call(ctx, t, dom.GetDocument, dom.GetDocumentParams{})
	if err != nil {
		return nil, err
	}
	res, err := cdp.Call(ctx, t, accessibility.QueryAXTree, accessibility.QueryAXTreeParams{NodeID: doc.Root.NodeID})
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, an := range res.Nodes {
		role := axString(an.Role)
		if an.Ignored || !outlineRoles[role] {
			continue
		}
		lines = append(lines, fmt.Sprintf("%s %q", role, axString(an.Name)))
	}
	return lines, nil
}
