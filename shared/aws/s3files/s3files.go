// Package s3files keeps files in one S3 bucket (the stack's mail bucket):
// raw mail, attachments and downloaded media. It owns the bucket name and
// translates S3's errors: a missing object is helpdesk.ErrNotFound, an
// object over the caller's size limit is ErrTooLarge.
package s3files

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Client is the subset of the S3 client the bucket uses.
type Client interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
	HeadObject(ctx context.Context, in *s3.HeadObjectInput, opts ...func(*s3.Options)) (*s3.HeadObjectOutput, error)
}

// Bucket is one S3 bucket.
type Bucket struct {
	Client Client
	Name   string
}

// ErrTooLarge is wrapped when an object is larger than Read's limit.
var ErrTooLarge = &helpdesk.Error{Code: helpdesk.ETooLarge, Reason: "file_too_large", Message: "the file is over the size limit"}

// Read returns the object stored under key. No such object is
// helpdesk.ErrNotFound; one over limit bytes is ErrTooLarge (and is not
// read beyond the limit).
func (b *Bucket) Read(ctx context.Context, key string, limit int64) ([]byte, error) {
	obj, err := b.Client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.Name, Key: &key})
	if err != nil {
		return nil, b.fail(key, err)
	}
	defer obj.Body.Close()
	if n := aws.ToInt64(obj.ContentLength); n > limit {
		return nil, fmt.Errorf("%w: %s has %d bytes, limit %d", ErrTooLarge, b.Location(key), n, limit)
	}
	data, err := io.ReadAll(io.LimitReader(obj.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", b.Location(key), err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%w: %s is over %d bytes", ErrTooLarge, b.Location(key), limit)
	}
	return data, nil
}

// Write stores data under key, replacing what was there.
func (b *Bucket) Write(ctx context.Context, key, contentType string, data []byte) error {
	_, err := b.Client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: &b.Name, Key: &key, Body: bytes.NewReader(data),
		ContentType: aws.String(contentType), ContentLength: aws.Int64(int64(len(data))),
	})
	if err != nil {
		return b.fail(key, err)
	}
	return nil
}

// Size returns the size of the object stored under key, or
// helpdesk.ErrNotFound.
func (b *Bucket) Size(ctx context.Context, key string) (int64, error) {
	head, err := b.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.Name, Key: &key})
	if err != nil {
		return 0, b.fail(key, err)
	}
	return aws.ToInt64(head.ContentLength), nil
}

// Location names an object for the record: s3://bucket/key.
func (b *Bucket) Location(key string) string { return "s3://" + b.Name + "/" + key }

// fail gives err the object's location, translating S3's "no such object".
func (b *Bucket) fail(key string, err error) error {
	if notFound(err) {
		return fmt.Errorf("%w: %s", helpdesk.ErrNotFound, b.Location(key))
	}
	return fmt.Errorf("%s: %w", b.Location(key), err)
}

// notFound reports S3's answers for a missing object: NoSuchKey from
// GetObject, a bare 404 NotFound from HeadObject (which has no body).
func notFound(err error) bool {
	var api smithy.APIError
	return errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound")
}
