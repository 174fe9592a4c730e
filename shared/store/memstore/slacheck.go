package memstore

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// DueSLAChecks lists up to limit tickets whose SLA check is due at or
// before now, the earliest due first, after the position `after` ("" from
// the start), and the position of its last ticket, like the store's
// (its sparse index GSI6 derived here from each ticket's SLA).
func (s *Store) DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) ([]string, string, error) {
	if limit < 1 {
		return nil, "", fmt.Errorf("due SLA checks: limit %d: must be at least 1", limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	bound := sortTime(now) + "$" // past every "<now>#<id>"
	var keys []string
	ids := map[string]string{}
	for id, t := range s.tickets {
		if t.SLA == nil || t.SLA.NextCheckAt.IsZero() {
			continue
		}
		if k := sortKey(t.SLA.NextCheckAt, id); k <= bound && k > after {
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
	return out, last, nil
}
