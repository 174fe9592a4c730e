package s3files

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// postForm uploads data as a browser would with a presigned POST: the
// fields, then the file last. It returns the status and body.
func postForm(t *testing.T, url string, fields map[string]string, name string, data []byte) (int, string) {
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
	resp, err := http.Post(url, w.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Against moto: a presigned GET downloads the bytes; a presigned POST
// stores a file with its type and metadata, which Stat reads back; a file
// form's policy bounds its size, type and key.
func TestLinksOnS3(t *testing.T) {
	cfg := testbed.AWS(t, "S3")
	ctx := context.Background()
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	name := testbed.Name(t) + "-links"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
	b := &Bucket{Client: client, Name: name}
	l := &Links{Bucket: b, Presign: s3.NewPresignClient(client)}
	if err := b.Write(ctx, "attachments/x/00-a.pdf", "application/pdf", []byte("%PDF-1.4 bytes")); err != nil {
		t.Fatal(err)
	}
	u, err := l.DownloadURL(ctx, "attachments/x/00-a.pdf", "résumé.pdf", false, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(u, "X-Amz-Signature=") || !strings.Contains(u, "X-Amz-Expires=300") {
		t.Fatalf("not a presigned URL of 5 minutes: %s", u)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != "%PDF-1.4 bytes" {
		t.Fatalf("GET presigned: %d %q", resp.StatusCode, got)
	}
	// moto ignores response-content-disposition; S3 answers with it.
	if !strings.Contains(u, "response-content-disposition=attachment") {
		t.Errorf("the URL does not ask S3 to serve a download: %s", u)
	}

	url, fields, err := l.UploadForm(ctx, "uploads/ann/u1", "image/png", 10, map[string]string{"name": "a%20b.png"}, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if fields["key"] != "uploads/ann/u1" || fields["policy"] == "" || fields["Content-Type"] != "image/png" {
		t.Fatalf("form fields %v", fields)
	}
	if st, body := postForm(t, url, fields, "a b.png", []byte("png")); st/100 != 2 {
		t.Fatalf("POST presigned: %d %s", st, body)
	}
	size, typ, meta, err := l.Stat(ctx, "uploads/ann/u1")
	if err != nil || size != 3 || typ != "image/png" || meta["name"] != "a%20b.png" {
		t.Fatalf("stat: %d %q %v %v", size, typ, meta, err)
	}
	// S3 enforces the policy's size range; moto does not (it stores the
	// file), so the policy is read here and the API checks the size again
	// (HeadObject) when a reply refers to the upload.
	raw, _ := base64.StdEncoding.DecodeString(fields["policy"])
	var policy struct {
		Conditions []any `json:"conditions"`
	}
	if err := json.Unmarshal(raw, &policy); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fmt.Sprint(policy.Conditions), "[content-length-range 1 10]") ||
		!strings.Contains(fmt.Sprint(policy.Conditions), "map[Content-Type:image/png]") ||
		!strings.Contains(fmt.Sprint(policy.Conditions), "map[key:uploads/ann/u1]") {
		t.Fatalf("policy conditions %v: want the size range, type and key fixed", policy.Conditions)
	}
	if _, _, _, err := l.Stat(ctx, "uploads/ann/none"); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Fatalf("stat of a missing key: %v", err)
	}
}
