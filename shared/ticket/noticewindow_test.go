package ticket

import (
	"testing"
	"time"
)

func TestNoticeWindowOpen(t *testing.T) {
	last := time.Date(2026, time.March, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		last, now time.Time
		want      bool
	}{
		{"same instant", last, last, true},
		{"24h minus 1ns", last, last.Add(24*time.Hour - 1), true},
		{"exactly 24h: closed (half-open)", last, last.Add(24 * time.Hour), false},
		{"24h plus 1ns", last, last.Add(24*time.Hour + 1), false},
		{"never wrote (zero last)", time.Time{}, last, false},
		{"zero last, zero now", time.Time{}, time.Time{}, false},
		{"clock skew: now days before last", last, last.Add(-9 * 24 * time.Hour), true},
		{"other zone, exactly 24h", last, time.Date(2026, time.March, 2, 11, 0, 0, 0, time.FixedZone("+01", 3600)), false},
	}
	for _, tt := range tests {
		if got := NoticeWindowOpen(tt.last, tt.now); got != tt.want {
			t.Errorf("%s: NoticeWindowOpen(%v, %v) = %v; want %v", tt.name, tt.last, tt.now, got, tt.want)
		}
	}
}
