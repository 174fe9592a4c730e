package memstore

import (
	"slices"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// ticketIndexPage reads one page of a sparse ticket index the way the
// DynamoDB store queries it (the outbox index, the SLA check index): the
// tickets that key places in the index (ok), past the position after, in
// key order, up to limit. It returns their ids and the last one's key, the
// position to page on ("" when the page is empty). The caller holds s.mu.
func (s *Store) ticketIndexPage(after string, limit int32, key func(id string, t helpdesk.Ticket) (k string, ok bool)) ([]string, string) {
	var keys []string
	ids := map[string]string{}
	for id, t := range s.tickets {
		if k, ok := key(id, t); ok && k > after {
			keys = append(keys, k)
			ids[k] = id
		}
	}
	slices.Sort(keys)
	keys = keys[:min(len(keys), int(limit))]
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, ids[k])
	}
	last := ""
	if len(keys) > 0 {
		last = keys[len(keys)-1]
	}
	return out, last
}
