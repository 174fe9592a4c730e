package ticket

import (
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func TestMessengerReplyMode(t *testing.T) {
	last := time.Date(2026, time.March, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		last, now  time.Time
		wantType   string
		wantTag    string
		wantReason string // "" means no error
		wantMsg    string // substring of the error message
	}{
		{name: "same instant", last: last, now: last, wantType: "RESPONSE"},
		{name: "23h59m", last: last, now: last.Add(23*time.Hour + 59*time.Minute), wantType: "RESPONSE"},
		{name: "24h minus 1ns", last: last, now: last.Add(24*time.Hour - 1), wantType: "RESPONSE"},
		// Exactly 24 h: the standard window is closed (half-open windows).
		{name: "exactly 24h", last: last, now: last.Add(24 * time.Hour), wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
		{name: "24h01m", last: last, now: last.Add(24*time.Hour + time.Minute), wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
		{name: "6d23h59m", last: last, now: last.Add(7*24*time.Hour - time.Minute), wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
		// Exactly 7 days: the human agent window is closed too.
		{name: "exactly 7d", last: last, now: last.Add(7 * 24 * time.Hour),
			wantReason: "messaging_window_closed", wantMsg: "last wrote 7d0h0m ago"},
		{name: "7d+1m", last: last, now: last.Add(7*24*time.Hour + time.Minute),
			wantReason: "messaging_window_closed", wantMsg: "the customer last wrote 7d0h1m ago; Messenger allows replies up to 7 days (human agent tag)"},
		{name: "30 days", last: last, now: last.Add(30*24*time.Hour + 5*time.Hour + 7*time.Minute + 59*time.Second),
			wantReason: "messaging_window_closed", wantMsg: "30d5h7m ago"},
		{name: "clock skew: now before last", last: last, now: last.Add(-3 * time.Minute), wantType: "RESPONSE"},
		{name: "clock skew: now days before last", last: last, now: last.Add(-9 * 24 * time.Hour), wantType: "RESPONSE"},
		// Zones do not matter: 11:00+01:00 is 10:00Z, so this is exactly 24h.
		{name: "other zone", last: last, now: time.Date(2026, time.March, 2, 11, 0, 0, 0, time.FixedZone("+01", 3600)),
			wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
		{name: "no customer message", last: time.Time{}, now: last,
			wantReason: "no_customer_message", wantMsg: "has not written on Messenger"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, tag, err := MessengerReplyMode(tt.last, tt.now)
			if tt.wantReason != "" {
				checkWindowErr(t, err, tt.wantReason, tt.wantMsg)
				if typ != "" || tag != "" {
					t.Errorf("refusal also returned (%q, %q)", typ, tag)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if typ != tt.wantType || tag != tt.wantTag {
				t.Errorf("got (%q, %q), want (%q, %q)", typ, tag, tt.wantType, tt.wantTag)
			}
		})
	}
}

func TestWhatsAppReplyAllowed(t *testing.T) {
	last := time.Date(2026, time.March, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		last, now  time.Time
		wantReason string
		wantMsg    string
	}{
		{name: "same instant", last: last, now: last},
		{name: "23h59m", last: last, now: last.Add(23*time.Hour + 59*time.Minute)},
		{name: "24h minus 1ns", last: last, now: last.Add(24*time.Hour - 1)},
		{name: "exactly 24h", last: last, now: last.Add(24 * time.Hour),
			wantReason: "messaging_window_closed", wantMsg: "last wrote 1d0h0m ago"},
		{name: "24h01m", last: last, now: last.Add(24*time.Hour + time.Minute),
			wantReason: "messaging_window_closed",
			wantMsg:    "the customer last wrote 1d0h1m ago; WhatsApp allows free-form replies only within 24 h; template messages are not supported yet"},
		{name: "clock skew", last: last, now: last.Add(-time.Hour)},
		{name: "no customer message", last: time.Time{}, now: last,
			wantReason: "no_customer_message", wantMsg: "template messages are not supported yet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := WhatsAppReplyAllowed(tt.last, tt.now)
			if tt.wantReason == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			checkWindowErr(t, err, tt.wantReason, tt.wantMsg)
		})
	}
}

func TestFormatAge(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0h0m"},
		{59 * time.Second, "0h0m"},
		{5*time.Hour + 3*time.Minute + 30*time.Second, "5h3m"},
		{24 * time.Hour, "1d0h0m"},
		{7*24*time.Hour + time.Minute, "7d0h1m"},
	}
	for _, tt := range tests {
		if got := formatAge(tt.d); got != tt.want {
			t.Errorf("formatAge(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func checkWindowErr(t *testing.T, err error, reason, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s", reason)
	}
	if got := helpdesk.ErrorCode(err); got != helpdesk.EConflict {
		t.Errorf("code = %q, want %q (%v)", got, helpdesk.EConflict, err)
	}
	if got := helpdesk.ErrorReason(err); got != reason {
		t.Errorf("reason = %q, want %q", got, reason)
	}
	if got := helpdesk.ErrorMessage(err); !strings.Contains(got, msg) {
		t.Errorf("message = %q, want it to contain %q", got, msg)
	}
}
