package s3files

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// fakeS3 keeps objects in memory and answers a missing key as S3 does.
type fakeS3 struct {
	objects      map[string][]byte
	types        map[string]string
	noLength     bool  // answer GetObject without Content-Length (a chunked response)
	err          error // returned by every call when set
	requestedKey string
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	f.requestedKey = aws.ToString(in.Bucket) + "/" + aws.ToString(in.Key)
	if f.err != nil {
		return nil, f.err
	}
	b, ok := f.objects[*in.Key]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NoSuchKey", Message: "The specified key does not exist."}
	}
	out := &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}
	if !f.noLength {
		out.ContentLength = aws.Int64(int64(len(b)))
	}
	return out, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	b, _ := io.ReadAll(in.Body)
	f.objects[*in.Key], f.types[*in.Key] = b, aws.ToString(in.ContentType)
	return &s3.PutObjectOutput{}, nil
}

func (f *fakeS3) HeadObject(_ context.Context, in *s3.HeadObjectInput, _ ...func(*s3.Options)) (*s3.HeadObjectOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	b, ok := f.objects[*in.Key]
	if !ok {
		return nil, &smithy.GenericAPIError{Code: "NotFound", Message: "Not Found"}
	}
	return &s3.HeadObjectOutput{ContentLength: aws.Int64(int64(len(b)))}, nil
}

func newFake() *fakeS3 { return &fakeS3{objects: map[string][]byte{}, types: map[string]string{}} }

func TestReadWriteSize(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	b := &Bucket{Client: f, Name: "mail"}
	if err := b.Write(ctx, "attachments/a/00-x.pdf", "application/pdf", []byte("%PDF")); err != nil {
		t.Fatal(err)
	}
	if f.types["attachments/a/00-x.pdf"] != "application/pdf" {
		t.Errorf("content type %q", f.types["attachments/a/00-x.pdf"])
	}
	got, err := b.Read(ctx, "attachments/a/00-x.pdf", 4)
	if err != nil || string(got) != "%PDF" || f.requestedKey != "mail/attachments/a/00-x.pdf" {
		t.Fatalf("read %q, %v (asked %s)", got, err, f.requestedKey)
	}
	if n, err := b.Size(ctx, "attachments/a/00-x.pdf"); err != nil || n != 4 {
		t.Fatalf("size %d, %v", n, err)
	}
	if loc := b.Location("inbound/x"); loc != "s3://mail/inbound/x" {
		t.Errorf("location %q", loc)
	}
}

func TestMissingAndOversizedObjects(t *testing.T) {
	ctx := context.Background()
	f := newFake()
	f.objects["big"] = []byte("0123456789")
	b := &Bucket{Client: f, Name: "mail"}

	if _, err := b.Read(ctx, "gone", 10); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Errorf("read of a missing key (NoSuchKey): %v, want helpdesk.ErrNotFound", err)
	}
	if _, err := b.Size(ctx, "gone"); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Errorf("size of a missing key (NotFound): %v, want helpdesk.ErrNotFound", err)
	}
	for _, noLength := range []bool{false, true} { // known up front, or found while reading
		f.noLength = noLength
		if _, err := b.Read(ctx, "big", 9); !errors.Is(err, ErrTooLarge) || !helpdesk.IsCode(err, helpdesk.ETooLarge) {
			t.Errorf("noLength=%v: read over the limit: %v, want ErrTooLarge", noLength, err)
		}
		if got, err := b.Read(ctx, "big", 10); err != nil || len(got) != 10 {
			t.Errorf("noLength=%v: read at the limit: %q, %v", noLength, got, err)
		}
	}

	// Anything else is passed on for the caller to retry, not translated.
	f.err = &smithy.GenericAPIError{Code: "SlowDown", Message: "Please reduce your request rate."}
	for name, err := range map[string]error{
		"read":  func() error { _, err := b.Read(ctx, "big", 10); return err }(),
		"size":  func() error { _, err := b.Size(ctx, "big"); return err }(),
		"write": b.Write(ctx, "big", "text/plain", nil),
	} {
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "SlowDown" || helpdesk.IsCode(err, helpdesk.ENotFound) {
			t.Errorf("%s: %v, want the S3 error passed on", name, err)
		}
	}
}

// The same against moto's S3, which answers with real S3 error documents.
func TestBucketOnS3(t *testing.T) {
	cfg := testbed.AWS(t, "S3")
	ctx := context.Background()
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	name := testbed.Name(t) + "-files"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
	b := &Bucket{Client: client, Name: name}
	if err := b.Write(ctx, "media/x/1", "image/png", []byte("png bytes")); err != nil {
		t.Fatal(err)
	}
	if got, err := b.Read(ctx, "media/x/1", 100); err != nil || string(got) != "png bytes" {
		t.Fatalf("read %q, %v", got, err)
	}
	if n, err := b.Size(ctx, "media/x/1"); err != nil || n != 9 {
		t.Fatalf("size %d, %v", n, err)
	}
	if _, err := b.Read(ctx, "media/x/1", 8); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := b.Read(ctx, "media/x/2", 100); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Fatalf("read of a missing key: %v", err)
	}
	if _, err := b.Size(ctx, "media/x/2"); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Fatalf("size of a missing key: %v", err)
	}
}
