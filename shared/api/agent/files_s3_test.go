package agent_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// postForm uploads data as a browser does with a presigned POST: the
// fields, then the file last.
func postForm(t *testing.T, u string, fields map[string]string, name string, data []byte) int {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	w.Close()
	resp, err := http.Post(u, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func fetch(t *testing.T, u string) []byte {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	return b
}

// Against moto's S3, through the API: a customer's file and its inline
// image download from their signed links; an agent uploads a file with the
// presigned POST the API gives, replies with it, and the reply's file is
// stored where the sender reads it and downloads from its link; a file
// posted over the limit is refused when the reply names it (moto stores
// it: it does not enforce the form's size range, S3 does).
func TestFilesOnS3(t *testing.T) {
	cfg := testbed.AWS(t, "S3")
	ctx := context.Background()
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	name := testbed.Name(t) + "-files"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
	bucket := &s3files.Bucket{Client: client, Name: name}
	f := newDeskWith(t, testbed.Mem, &s3files.Links{Bucket: bucket, Presign: s3.NewPresignClient(client)})

	logo, report := []byte("\x89PNG logo"), []byte("%PDF report")
	for key, data := range map[string][]byte{"attachments/s1/00-logo.png": logo, "attachments/s1/01-report.pdf": report} {
		if err := bucket.Write(ctx, key, "application/octet-stream", data); err != nil {
			t.Fatal(err)
		}
	}
	openTicket(t, f, "7", "", "A", "c7", helpdesk.Message{ID: "msg-7", CreatedAt: t0.Add(time.Minute), Text: "See",
		HTML: `<p><img src="cid:logo@acme"></p>`,
		Attachments: []helpdesk.Attachment{
			{Name: "logo.png", ContentType: "image/png", Size: int64(len(logo)), Key: "attachments/s1/00-logo.png", ContentID: "logo@acme", Inline: true},
			{Name: "report.pdf", ContentType: "application/pdf", Size: int64(len(report)), Key: "attachments/s1/01-report.pdf"},
		}})
	var page ticketPage
	decode(t, f.do(t, "GET", "/api/tickets/7", "bob", ""), &page)
	m := page.Timeline.Entries[len(page.Timeline.Entries)-1].Message
	if got := fetch(t, m.Attachments[1].URL); !bytes.Equal(got, report) {
		t.Fatalf("report downloaded as %q", got)
	}
	src := regexp.MustCompile(`src="([^"]+)"`).FindStringSubmatch(m.HTML)
	if src == nil {
		t.Fatalf("no image in %s", m.HTML)
	}
	if got := fetch(t, html.UnescapeString(src[1])); !bytes.Equal(got, logo) {
		t.Fatalf("inline image downloaded as %q", got)
	}

	data := bytes.Repeat([]byte("plan "), 100)
	var u upload
	decode(t, f.do(t, "POST", "/api/uploads", "bob", `{"name":"Plan Q1.pdf","content_type":"application/pdf","size":500}`), &u)
	if st := postForm(t, u.URL, u.Fields, "Plan Q1.pdf", data); st/100 != 2 {
		t.Fatalf("presigned POST: %d", st)
	}
	r := f.do(t, "POST", "/api/tickets/7/replies", "bob", `{"text":"Here it is","attachments":["`+u.UploadID+`"]}`)
	if r.status != 201 {
		t.Fatalf("reply: %d %s", r.status, r.raw)
	}
	var msg helpdesk.Message
	decode(t, r, &msg)
	if len(msg.Attachments) != 1 || msg.Attachments[0].Name != "Plan Q1.pdf" || msg.Attachments[0].Size != 500 {
		t.Fatalf("reply's attachments %+v", msg.Attachments)
	}
	// What the sender does with it (send.Sender reads s3files.Bucket).
	if got, err := bucket.Read(ctx, msg.Attachments[0].Key, 30<<20); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the sender reads %q, %v", got, err)
	}
	var tl timelinePage
	decode(t, f.do(t, "GET", "/api/tickets/7/timeline?kind=message", "bob", ""), &tl)
	if got := fetch(t, tl.Entries[0].Message.Attachments[0].URL); !bytes.Equal(got, data) {
		t.Fatalf("the reply's file downloaded as %q", got)
	}

	decode(t, f.do(t, "POST", "/api/uploads", "bob", `{"name":"big.pdf","content_type":"application/pdf","size":10}`), &u)
	if st := postForm(t, u.URL, u.Fields, "big.pdf", make([]byte, 10<<20+1)); st/100 != 2 {
		t.Logf("moto refused the oversized POST (%d), as S3 does", st)
	}
	if r := f.do(t, "POST", "/api/tickets/7/replies", "bob", `{"text":"x","attachments":["`+u.UploadID+`"]}`); r.status != 400 || reason(r) != "upload_too_large" {
		t.Fatalf("a reply with an oversized upload: %d %s", r.status, r.raw)
	}
	// Another agent cannot name bob's upload.
	if r := f.do(t, "POST", "/api/tickets/7/replies", "ann", `{"text":"x","attachments":["`+msg.Attachments[0].Key[len(msg.Attachments[0].Key)-32:]+`"]}`); r.status != 400 || reason(r) != "upload_unknown" {
		t.Fatalf("ann naming bob's upload: %d %s", r.status, r.raw)
	}
}
