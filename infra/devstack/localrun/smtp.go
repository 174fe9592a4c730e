package localrun

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/emersion/go-smtp"

	"github.com/stackdesk/stackdesk/shared/lambdax"
)

// SMTP accepts mail on a local port the way SES does for a tenant: the raw
// message goes into the mail bucket under the receipt rule's prefix, then
// the email-inbound handler is invoked with the SES event. Any mail client
// or swaks can write in.
type SMTP struct {
	r      *Runner
	server *smtp.Server
}

// ServeSMTP listens on ln until Close.
func (r *Runner) ServeSMTP(ln net.Listener) *SMTP {
	s := &SMTP{r: r}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{r: r}, nil }))
	srv.Domain = "localhost"
	srv.MaxMessageBytes = 40 << 20
	srv.MaxRecipients = 50
	srv.ReadTimeout, srv.WriteTimeout = time.Minute, time.Minute
	s.server = srv
	go func() { _ = srv.Serve(ln) }()
	return s
}

// Close stops the listener.
func (s *SMTP) Close() error { return s.server.Close() }

type session struct {
	r    *Runner
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	return s.r.DeliverMail(context.Background(), s.from, s.to, raw)
}

// DeliverMail does what SES's receipt rule does with one message: store it,
// then invoke email-inbound (synchronously here) with the SES event.
func (r *Runner) DeliverMail(ctx context.Context, from string, to []string, raw []byte) error {
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	sesID := hex.EncodeToString(id)
	bucket := r.Stack.Buckets["MailBucket"]
	key := r.Mail.Prefix + sesID
	_, err := r.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(raw)})
	if err != nil {
		return fmt.Errorf("store raw mail: %w", err)
	}
	now := time.Now().UTC()
	ev := events.SimpleEmailEvent{Records: []events.SimpleEmailRecord{{
		EventVersion: "1.0", EventSource: "aws:ses",
		SES: events.SimpleEmailService{
			Mail: events.SimpleEmailMessage{MessageID: sesID, Source: from, Timestamp: now, Destination: to},
			Receipt: events.SimpleEmailReceipt{
				Recipients: to, Timestamp: now,
				SpamVerdict: events.SimpleEmailVerdict{Status: verdict(raw, "X-Test-Spam")}, VirusVerdict: events.SimpleEmailVerdict{Status: verdict(raw, "X-Test-Virus")},
				Action: events.SimpleEmailReceiptAction{Type: "Lambda", InvocationType: "Event"},
			},
		},
	}}}
	return lambdax.EmailInboundHandler(r.Mail, r.cfg.Log)(ctx, ev)
}

// verdict lets a local test mail ask for a FAIL verdict with a header, since
// there is no SES scanner here.
func verdict(raw []byte, header string) string {
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	for _, line := range strings.Split(string(head), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.EqualFold(strings.TrimSpace(k), header) && strings.EqualFold(strings.TrimSpace(v), "FAIL") {
			return "FAIL"
		}
	}
	return "PASS"
}
