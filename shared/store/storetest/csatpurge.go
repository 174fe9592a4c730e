package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// A purged ticket's rating is deleted: gone from its item and from the
// period's report; another ticket's stays; deleting twice is no error.
func testRatingGoesWithItsTicket(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	for _, id := range []string{"gone", "kept"} {
		if err := s.PutRating(ctx, helpdesk.Rating{TicketID: id, ContactID: "c1", Score: 4, RatedAt: T0, ClosedAt: T0.Add(-time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := s.DeleteRating(ctx, "gone"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.GetRating(ctx, "gone"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the deleted rating: %v, want ErrNotFound", err)
	}
	if _, err := s.GetRating(ctx, "kept"); err != nil {
		t.Fatalf("the other ticket's rating: %v", err)
	}
	rs, err := s.Ratings(ctx, T0.Add(-time.Hour), T0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 1 || rs[0].TicketID != "kept" {
		t.Fatalf("ratings of the period = %+v, want kept's only", rs)
	}
}
