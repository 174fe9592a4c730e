package email

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestZZNest(t *testing.T) {
	for _, n := range []int{1000, 20000} {
		var b strings.Builder
		b.WriteString("From: a@b.example\r\nContent-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n")
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "--b%d\r\nContent-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n", i-1, i)
		}
		b.WriteString("--b" + fmt.Sprint(n) + "\r\nContent-Type: text/plain\r\n\r\nhi\r\n")
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		start := time.Now()
		p, err := Parse([]byte(b.String()), Options{})
		runtime.ReadMemStats(&m1)
		t.Logf("n=%d size=%d %v alloc=%dMB err=%v text=%q", n, b.Len(), time.Since(start), (m1.TotalAlloc-m0.TotalAlloc)>>20, err, func() string { if p != nil { return p.Text }; return "" }())
	}
}
