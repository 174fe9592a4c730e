package media_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/channel/meta/media"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type tokens map[string]string

func (t tokens) AccessToken(_ context.Context, ch string) (string, error) {
	if v, ok := t[ch]; ok {
		return v, nil
	}
	return "", helpdesk.Errorf(helpdesk.EInvalid, "access_token_missing", "no token for %s", ch)
}

const (
	channel = "whatsapp:106540352242922"
	token   = "EAAG-wa-token"
)

func setup(t *testing.T) (*media.WhatsApp, *graphfake.Fake, *s3.Client, string) {
	cfg := testbed.AWS(t, "S3")
	files := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := testbed.Name(t) + "-mail"
	if _, err := files.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	fake := graphfake.Start(t)
	w := &media.WhatsApp{Graph: graphapi.New(fake.URL, "v21.0", nil), Tokens: tokens{channel: token},
		Files: &s3files.Bucket{Client: files, Name: bucket}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return w, fake, files, bucket
}

func message(atts ...helpdesk.Attachment) *helpdesk.InboundMessage {
	return &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelWhatsApp, ChannelID: channel,
		ProviderMessageID: "wamid.M1", Sender: helpdesk.Sender{WhatsAppID: "16505551234"}, Attachments: atts}
}

// The media id from the webhook becomes a file in the bucket (bytes,
// type, size); a redelivered message finds it kept and asks Meta nothing.
func TestWhatsAppMediaIsKeptInTheBucket(t *testing.T) {
	w, fake, files, bucket := setup(t)
	photo := []byte("\xff\xd8\xff\xe0 a jpeg of a broken printer")
	fake.AddMedia("1037543291543636", "image/jpeg", photo, token)
	m := message(helpdesk.Attachment{Name: "image", ContentType: "image/jpeg", Key: media.KeyPrefix + "1037543291543636"},
		helpdesk.Attachment{Name: "already.pdf", ContentType: "application/pdf", Key: "attachments/x/already.pdf"})
	if err := w.Fetch(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	a := m.Attachments[0]
	if a.Key != media.Key(channel, "1037543291543636") || a.Size != int64(len(photo)) || a.Note != "" {
		t.Fatalf("attachment %+v", a)
	}
	if m.Attachments[1].Key != "attachments/x/already.pdf" {
		t.Fatalf("a stored attachment was touched: %+v", m.Attachments[1])
	}
	obj, err := files.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &bucket, Key: &a.Key})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	if string(got) != string(photo) || *obj.ContentType != "image/jpeg" {
		t.Fatalf("stored %q (%s)", got, *obj.ContentType)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Token != token || reqs[1].Token != token {
		t.Fatalf("requests %+v: want media info then download, both with the token", reqs)
	}

	again := message(helpdesk.Attachment{Name: "image", ContentType: "image/jpeg", Key: media.KeyPrefix + "1037543291543636"})
	if err := w.Fetch(context.Background(), again); err != nil {
		t.Fatal(err)
	}
	if again.Attachments[0].Key != a.Key || len(fake.Requests()) != 2 {
		t.Fatalf("redelivery: %+v, %d requests", again.Attachments[0], len(fake.Requests()))
	}
}

// Media Meta no longer has keeps the message, with a note for the agent;
// Meta being down retries the message.
func TestWhatsAppMediaFailures(t *testing.T) {
	w, fake, _, _ := setup(t)
	m := message(helpdesk.Attachment{Name: "video", ContentType: "video/mp4", Key: media.KeyPrefix + "gone"})
	if err := w.Fetch(context.Background(), m); err != nil {
		t.Fatalf("expired media must not fail the message: %v", err)
	}
	if a := m.Attachments[0]; a.Key != "" || !strings.HasPrefix(a.Note, "not downloaded: ") {
		t.Fatalf("attachment %+v", a)
	}

	fake.AddMedia("later", "image/png", []byte("png"), token)
	fake.Script(func(graphfake.Request) *graphfake.Response { return graphfake.Unavailable() })
	m2 := message(helpdesk.Attachment{Name: "image", Key: media.KeyPrefix + "later"})
	if err := w.Fetch(context.Background(), m2); err == nil {
		t.Fatal("Meta unavailable: want an error so the message is retried")
	}
	fake.Script(nil)
	if err := w.Fetch(context.Background(), m2); err != nil || m2.Attachments[0].ContentType != "image/png" {
		t.Fatalf("retry: %v, %+v", err, m2.Attachments[0])
	}
}
