package localrun

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"mime"
	"net/smtp"
	"strings"
	"time"
)

// TestMail is a plain-text mail as a mail client writes it: From, To,
// Subject (RFC 2047 when not ASCII), Date, Message-ID, UTF-8 body, CRLF.
func TestMail(from, to, subject, body string, now time.Time) []byte {
	id := make([]byte, 8)
	_, _ = rand.Read(id)
	domain := "localhost"
	if _, d, ok := strings.Cut(from, "@"); ok {
		domain = d
	}
	body = strings.ReplaceAll(strings.ReplaceAll(body, "\r\n", "\n"), "\n", "\r\n")
	return []byte(strings.Join([]string{
		"From: " + from,
		"To: " + to,
		"Subject: " + mime.QEncoding.Encode("utf-8", subject),
		"Date: " + now.Format(time.RFC1123Z),
		"Message-ID: <" + hex.EncodeToString(id) + "@" + domain + ">",
		"MIME-Version: 1.0",
		"Content-Type: text/plain; charset=utf-8",
		"Content-Transfer-Encoding: 8bit",
		"",
		body,
		"",
	}, "\r\n"))
}

// SendMail delivers raw to the local stack's SMTP listener (ServeSMTP),
// which stores it and runs email-inbound exactly as SES would.
func SendMail(addr, from string, to []string, raw []byte) error {
	if err := smtp.SendMail(addr, nil, from, to, raw); err != nil {
		return fmt.Errorf("send to smtp://%s (is `make run` running?): %w", addr, err)
	}
	return nil
}
