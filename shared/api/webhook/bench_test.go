package webhook

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cpuTime is this process's user+system CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkFormSubmit measures the form handler's own cost per request
// (routing, body read, HMAC check, decode, validate, map, respond) with an
// in-memory channel store and queue, and reports CPU time per request.
func BenchmarkFormSubmit(b *testing.B) {
	body := `{"email":"ann@example.com","name":"Ann Lee","subject":"My order is late","description":"` +
		strings.Repeat("Order 1042 has not arrived. ", 20) + `","plan":"pro","utm_source":"newsletter"}`
	for _, tc := range []struct{ name, path, sig string }{
		{"unsigned", "/forms/open", ""},
		{"hmac", "/forms/signed", SignSHA256("s3cret", []byte(body))},
	} {
		b.Run(tc.name, func(b *testing.B) {
			q := &fakeQueue{}
			h := newForms(q, nil)
			b.ReportAllocs()
			start := cpuTime(b)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := httptest.NewRequest(http.MethodPost, tc.path, strings.NewReader(body))
				r.Header.Set("Content-Type", "application/json")
				if tc.sig != "" {
					r.Header.Set(HeaderFormSignature, tc.sig)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusAccepted {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
				q.sent = q.sent[:0]
			}
			b.StopTimer()
			b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
		})
	}
}
