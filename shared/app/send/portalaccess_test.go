package send_test

import (
	"context"
	"io"
	"mime/quotedprintable"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
)

// The portal's sign-in mail goes from the notification sender with the
// link and the code; one whose link has expired is dropped unsent.
func TestPortalAccessMail(t *testing.T) {
	job := jobs.PortalAccess{ContactID: "c1", ToEmail: "cus1@example.com", ToName: "Cus One",
		Link: "https://help.acme.example/portal/#/signin?token=v1.abc", Code: "042917", ExpiresAt: t0.Add(15 * time.Minute)}
	body, err := jobs.Encode(jobs.KindPortalAccess, job)
	if err != nil {
		t.Fatal(err)
	}
	env, err := jobs.DecodeEnvelope(string(body))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		now   time.Time
		want  int
		decoy bool
	}{{"in time", t0.Add(time.Minute), 1, false}, {"expired", t0.Add(15 * time.Minute), 0, false},
		{"an unknown address's decoy", t0.Add(time.Minute), 0, true}} {
		env := env
		if c.decoy {
			d := job
			d.ContactID, d.ToEmail = "", "nobody@example.com"
			body, err := jobs.Encode(jobs.KindPortalAccess, d)
			if err != nil {
				t.Fatal(err)
			}
			if env, err = jobs.DecodeEnvelope(string(body)); err != nil {
				t.Fatal(err)
			}
		}
		mailer := &recordingMailer{}
		s := &send.Sender{Store: memstore.New(), Mailer: mailer, Tenant: "acme", Now: func() time.Time { return c.now }, Log: quiet,
			NotificationSender: "notifications@acme.example"}
		if err := s.Send(context.Background(), env, 1); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(mailer.sent) != c.want {
			t.Fatalf("%s: %d mails sent, want %d", c.name, len(mailer.sent), c.want)
		}
		if c.want == 0 {
			continue
		}
		// The body is quoted-printable: read it as a mail reader would.
		head, qp, _ := strings.Cut(string(mailer.sent[0]), "\r\n\r\n")
		text, err := io.ReadAll(quotedprintable.NewReader(strings.NewReader(qp)))
		if err != nil {
			t.Fatal(err)
		}
		raw := head + "\n\n" + string(text)
		for _, want := range []string{"<notifications@acme.example>", "To: \"Cus One\" <cus1@example.com>", "042917", "signin?token=v1.abc"} {
			if !strings.Contains(raw, want) {
				t.Errorf("mail lacks %q:\n%s", want, raw)
			}
		}
	}
}
