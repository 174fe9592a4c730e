package memstore

import (
	"slices"
	"strings"
	"time"
)

// inPeriod returns copies of the values of m whose list key ("<time>#...",
// as the DynamoDB store's GSI3 sorts them) falls in [from, to), in that
// key's order: the period reads of the reports (ratings, SLA outcomes).
// The caller holds s.mu.
func inPeriod[T any](m map[string]T, from, to time.Time, listKey func(T) string) ([]T, error) {
	out := []T{}
	lo, hi := sortTime(from), sortTime(to) // "<to>" sorts before every "<to>#..."
	for _, v := range m {
		if k := listKey(v); k >= lo && k <= hi {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(listKey(a), listKey(b)) })
	return copyAll(out)
}
