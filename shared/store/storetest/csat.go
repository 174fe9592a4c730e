package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// A ticket is rated once: the rating reads back, a second one is
// ErrRated (also when many race: exactly one wins), and the period query
// returns the ratings made in [from, to), oldest first.
func testRatingsOncePerTicketAndByPeriod(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	if _, err := s.GetRating(ctx, "r1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unrated ticket's rating: %v, want ErrNotFound", err)
	}
	r1 := helpdesk.Rating{TicketID: "r1", ContactID: "c1", Score: 5, Comment: "Great", RatedAt: T0, ClosedAt: T0.Add(-time.Hour),
		OwnerID: "ann", TeamID: "A", ChannelID: "email:help@acme.example", ChannelKind: helpdesk.ChannelEmail}
	if err := s.PutRating(ctx, r1); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetRating(ctx, "r1"); err != nil || !reflect.DeepEqual(got, r1) {
		t.Fatalf("GetRating = %+v, %v; want %+v", got, err, r1)
	}
	again := r1
	again.Score, again.Comment = 1, "Changed my mind"
	if err := s.PutRating(ctx, again); !errors.Is(err, helpdesk.ErrRated) {
		t.Fatalf("a second rating: %v, want ErrRated", err)
	}
	if got, _ := s.GetRating(ctx, "r1"); got.Score != 5 {
		t.Fatalf("the second rating replaced the first: %+v", got)
	}

	// Ten customers' clicks at once on one ticket: one rating.
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := r1
			r.TicketID, r.Score, r.RatedAt = "race", i%5+1, T0.Add(time.Duration(i)*time.Second)
			errs[i] = s.PutRating(ctx, r)
		}()
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, helpdesk.ErrRated):
			t.Fatalf("a losing rating: %v, want ErrRated", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d of 10 concurrent ratings were recorded, want 1", won)
	}

	r2 := r1
	r2.TicketID, r2.RatedAt = "r2", T0.Add(24*time.Hour)
	r3 := r1
	r3.TicketID, r3.RatedAt = "r3", T0.Add(48*time.Hour)
	for _, r := range []helpdesk.Rating{r3, r2} {
		if err := s.PutRating(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := eventually(func() ([]helpdesk.Rating, error) {
		l, err := s.Ratings(ctx, T0.Add(time.Hour), T0.Add(72*time.Hour))
		if err == nil && len(l) != 2 {
			err = fmt.Errorf("not yet: %d ratings", len(l))
		}
		return l, err
	})
	if err != nil || got[0].TicketID != "r2" || got[1].TicketID != "r3" || !reflect.DeepEqual(got[0], r2) {
		t.Fatalf("Ratings(T0+1h, T0+72h) = %+v, %v; want r2 then r3", got, err)
	}
	// The period is half open: a rating at `to` belongs to the next one.
	if l, err := s.Ratings(ctx, T0.Add(time.Hour), T0.Add(48*time.Hour)); err != nil || len(l) != 1 || l[0].TicketID != "r2" {
		t.Fatalf("Ratings(T0+1h, T0+48h) = %+v, %v; want r2 only", l, err)
	}
}
