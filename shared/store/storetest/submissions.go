package storetest

import (
	"sync"
	"testing"
	"time"
)

// A content fingerprint belongs to the first submission that claims it
// until its expiry; after that the next claimant gets it. Concurrent
// claimants agree on one holder.
func testSubmissionClaimsHoldUntilTheyExpire(t *testing.T, f *fixture) {
	until := T0.Add(10 * time.Minute)
	claim := func(key, id string, now time.Time) string {
		t.Helper()
		got, err := f.st.ClaimSubmission(f.ctx, key, id, now, now.Add(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := claim("web#abc", "s1", T0); got != "s1" {
		t.Fatalf("first claim = %q, want s1", got)
	}
	if got := claim("web#abc", "s2", until.Add(-time.Second)); got != "s1" {
		t.Fatalf("claim within the window = %q, want the holder s1", got)
	}
	if got := claim("web#other", "s3", T0); got != "s3" {
		t.Fatalf("another fingerprint = %q, want s3", got)
	}
	if got := claim("web#abc", "s4", until); got != "s4" {
		t.Fatalf("claim after the expiry = %q, want s4", got)
	}
	var wg sync.WaitGroup
	got := make([]string, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = claim("web#race", string(rune('a'+i)), T0)
		}()
	}
	wg.Wait()
	for _, g := range got {
		if g != got[0] {
			t.Fatalf("concurrent claims disagree: %v", got)
		}
	}
}
