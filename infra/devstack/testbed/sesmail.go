package testbed

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
)

// SESMessage is one mail moto's SES accepted.
type SESMessage struct {
	Source  string `json:"source"`
	RawData string `json:"raw_data"` // the whole MIME message
}

// SentMail returns the raw mail moto's SES accepted that match (by envelope
// source or anywhere in the message), read from GET /moto-api/data.json,
// moto's dump of its whole state. That dump answers an HTML 500 when
// another client changes some state while it is being written (tests of
// other packages share the emulator), so it is read again until it parses.
func SentMail(t testing.TB, match func(SESMessage) bool) []string {
	t.Helper()
	url := strings.TrimSuffix(os.Getenv("AWS_ENDPOINT_URL_SESV2"), "/") + "/moto-api/data.json"
	var last error
	for attempt := range 10 {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 200 * time.Millisecond)
		}
		msgs, err := sesDump(url)
		if err != nil {
			last = err
			continue
		}
		var out []string
		for _, m := range msgs {
			if match(m) {
				out = append(out, m.RawData)
			}
		}
		return out
	}
	t.Fatalf("moto's SES state: %v", last)
	return nil
}

// messageIDHeader is a raw mail's Message-ID header.
var messageIDHeader = regexp.MustCompile(`(?im)^Message-ID:\s*(<[^>]+>)`)

// DistinctMail keeps the first of each Message-ID among raw mails: what a
// recipient's server keeps. Our senders deliver at least once and send a
// redelivered job with the same Message-ID (a queue message redelivered
// after its visibility timeout, on a loaded machine), so a test that
// counts mails a person receives counts these. A mail without the header
// is kept.
func DistinctMail(raws []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range raws {
		if m := messageIDHeader.FindStringSubmatch(r); m != nil {
			if seen[m[1]] {
				continue
			}
			seen[m[1]] = true
		}
		out = append(out, r)
	}
	return out
}

func sesDump(url string) ([]SESMessage, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var data struct {
		SES struct {
			RawMessage []SESMessage
		} `json:"ses"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&data); err != nil {
		return nil, fmt.Errorf("GET %s: %w", url, err)
	}
	return data.SES.RawMessage, nil
}
