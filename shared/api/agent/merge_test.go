package agent_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// Merging over the API: the caller must work both tickets (404 for one
// they cannot see, 403 for a viewer), a stale version is a 409 with both
// tickets as they are, and the merged ticket's page redirects (307) to the
// primary.
func TestMergeOverTheAPI(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := accessDesk(t, b) // indexed, for search
		// bob sees 1 (team A) and 3 (his), not 2 (cat's): merging into 2 is a
		// missing ticket to him.
		if r := f.do(t, "POST", "/api/tickets/3/merge", "bob", `{"into":"2"}`); r.status != 404 || reason(r) != "ticket_not_found" {
			t.Fatalf("bob merging into a ticket he cannot see: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/merge", "vic", `{"into":"3"}`); r.status != 403 && r.status != 404 {
			t.Fatalf("a viewer merging: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/3/merge", "bob", `{"into":"3"}`); r.status != 400 || reason(r) != "merge_self" {
			t.Fatalf("merge into itself: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/3/merge", "bob", `{}`); r.status != 400 || reason(r) != "into_required" {
			t.Fatalf("merge without into: %d %s", r.status, r.raw)
		}
		// A version someone else changed: 409 with both tickets as they are.
		r := f.do(t, "POST", "/api/tickets/3/merge", "bob", `{"into":"1","into_version":7}`)
		if r.status != 409 || reason(r) != "version_changed" || r.body["ticket"] == nil || r.body["into"] == nil {
			t.Fatalf("stale merge: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/3/merge", "bob", `{"into":"1"}`, "If-Match", `"9"`); r.status != 409 || reason(r) != "version_changed" {
			t.Fatalf("stale If-Match: %d %s", r.status, r.raw)
		}
		v := int(r.body["into"].(map[string]any)["version"].(float64))
		ok := f.do(t, "POST", "/api/tickets/3/merge", "bob", fmt.Sprintf(`{"into":"1","into_version":%d}`, v), "If-Match", `"1"`)
		if ok.status != 200 || ok.body["id"] != "1" || ok.body["message_count"] != float64(2) {
			t.Fatalf("merge: %d %s", ok.status, ok.raw)
		}
		// The same merge again is a retry: 200 with the primary (retry_test.go).
		if r := f.do(t, "POST", "/api/tickets/3/merge", "bob", `{"into":"1"}`); r.status != 200 || r.body["id"] != "1" {
			t.Fatalf("merging again: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/3/merge", "ann", `{"into":"2"}`); r.status != 409 || reason(r) != "already_merged" || r.body["ticket"].(map[string]any)["state"] != "merged" {
			t.Fatalf("merging a merged ticket: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/merge", "ann", `{"into":"3"}`); r.status != 409 || reason(r) != "already_merged" {
			t.Fatalf("merging into a merged ticket: %d %s", r.status, r.raw)
		}
		// The tombstone's page leads to the primary: the client follows the
		// 307 and reads ticket 1's page, both conversations in it.
		page := f.do(t, "GET", "/api/tickets/3", "ann", "")
		tk, _ := page.body["ticket"].(map[string]any)
		if page.status != 200 || tk["id"] != "1" {
			t.Fatalf("the merged ticket's page: %d %s", page.status, page.raw)
		}
		shown := map[string]bool{}
		for _, e := range page.body["timeline"].(map[string]any)["entries"].([]any) {
			if m, ok := e.(map[string]any)["message"].(map[string]any); ok {
				shown[m["ticket_id"].(string)] = true
			}
		}
		if !shown["1"] || !shown["3"] {
			t.Fatalf("the merged page's messages come from %v, want 1 and 3", shown)
		}
		// And it is in no view.
		view := f.do(t, "GET", "/api/views/all_open/tickets", "ann", "")
		for _, it := range view.body["tickets"].([]any) {
			if it.(map[string]any)["id"] == "3" {
				t.Fatalf("the merged ticket is in All open")
			}
		}
		// Nor in a search (a hit on it is its primary's, once) or a
		// contact's tickets.
		hits := f.do(t, "GET", "/api/search?q=question", "ann", "")
		var found []string
		for _, h := range hits.body["results"].([]any) {
			found = append(found, h.(map[string]any)["ticket"].(map[string]any)["id"].(string))
		}
		if slices.Contains(found, "3") || len(found) != 2 {
			t.Fatalf("search hits after the merge: %v, want 1 and 2 once each", found)
		}
		for _, tk := range f.do(t, "GET", "/api/contacts/c3", "ann", "").body["tickets"].([]any) {
			if tk.(map[string]any)["id"] == "3" {
				t.Fatalf("the merged ticket is among its contact's tickets")
			}
		}
		// Unmerging: a viewer may not; cat cannot see either ticket; bob can.
		if r := f.do(t, "POST", "/api/tickets/3/unmerge", "cat", ""); r.status != 404 {
			t.Fatalf("cat unmerging a ticket she cannot see: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/unmerge", "bob", ""); r.status != 409 || reason(r) != "not_merged" {
			t.Fatalf("unmerging the primary: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/3/unmerge", "bob", "", "If-Match", `"1"`); r.status != 409 || reason(r) != "version_changed" {
			t.Fatalf("a stale unmerge: %d %s", r.status, r.raw)
		}
		un := f.do(t, "POST", "/api/tickets/3/unmerge", "bob", "")
		tk, _ = un.body["ticket"].(map[string]any)
		from, _ := un.body["from"].(map[string]any)
		if un.status != 200 || tk["state"] != "open" || tk["owner_id"] != "bob" || from["message_count"] != float64(1) {
			t.Fatalf("unmerge: %d %s", un.status, un.raw)
		}
		if page := f.do(t, "GET", "/api/tickets/3", "bob", ""); page.status != 200 || page.body["ticket"].(map[string]any)["id"] != "3" {
			t.Fatalf("the unmerged ticket's page: %d %s", page.status, page.raw)
		}
	})
}
