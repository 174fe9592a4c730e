package agent_test

import (
	"fmt"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// A ticket's page lists the tickets merged into it as they now are (their
// own pages redirect to it), so the console shows their subjects and
// unmerges one with the version it read as If-Match: a stale one is refused.
func TestTicketPageListsItsMergedTickets(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := accessDesk(t, b)
		if page := f.do(t, "GET", "/api/tickets/1", "ann", ""); page.status != 200 || page.body["merged"] != nil {
			t.Fatalf("a ticket nothing was merged into: %d %s", page.status, page.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/3/merge", "bob", `{"into":"1"}`); r.status != 200 {
			t.Fatalf("merge: %d %s", r.status, r.raw)
		}
		page := f.do(t, "GET", "/api/tickets/1", "ann", "")
		merged, _ := page.body["merged"].([]any)
		if page.status != 200 || len(merged) != 1 {
			t.Fatalf("the primary's page after the merge: %d %s", page.status, page.raw)
		}
		m := merged[0].(map[string]any)
		if m["id"] != "3" || m["state"] != "merged" || m["merged_into"] != "1" || m["subject"] == "" {
			t.Fatalf("merged: %v", m)
		}
		v := int(m["version"].(float64))
		if r := f.do(t, "POST", "/api/tickets/3/unmerge", "ann", "", "If-Match", fmt.Sprintf(`"%d"`, v+1)); r.status != 409 || reason(r) != "version_changed" {
			t.Fatalf("unmerge with a version the page did not show: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/3/unmerge", "ann", "", "If-Match", fmt.Sprintf(`"%d"`, v)); r.status != 200 {
			t.Fatalf("unmerge with the version the page showed: %d %s", r.status, r.raw)
		}
		if page := f.do(t, "GET", "/api/tickets/1", "ann", ""); page.status != 200 || page.body["merged"] != nil {
			t.Fatalf("the primary's page after the unmerge: %d %s", page.status, page.raw)
		}
	})
}
