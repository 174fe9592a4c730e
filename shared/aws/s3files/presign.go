package s3files

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// PresignClient is the subset of s3.PresignClient the links use.
type PresignClient interface {
	PresignGetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.PresignOptions)) (*v4.PresignedHTTPRequest, error)
	PresignPostObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.PresignPostOptions)) (*s3.PresignedPostRequest, error)
}

// Links hands browsers short-lived, signed access to objects of the
// bucket: a GET URL to read one, a POST form to upload one. The signature
// is the signer's (the function's role), so its IAM policy bounds what any
// link can reach.
type Links struct {
	Bucket  *Bucket
	Presign PresignClient
}

// DownloadURL is a GET URL of key, valid for ttl. The browser is told the
// file's name and, unless inline (an image the HTML shows), to save it
// rather than render it: a stored file is never a page of ours.
func (l *Links) DownloadURL(ctx context.Context, key, name string, inline bool, ttl time.Duration) (string, error) {
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	in := &s3.GetObjectInput{Bucket: &l.Bucket.Name, Key: &key,
		ResponseContentDisposition: aws.String(disposition + "; filename*=UTF-8''" + url.PathEscape(name))}
	req, err := l.Presign.PresignGetObject(ctx, in, s3.WithPresignExpires(ttl))
	if err != nil {
		return "", fmt.Errorf("presign GET %s: %w", l.Bucket.Location(key), err)
	}
	return req.URL, nil
}

// UploadForm is a presigned POST that can store one object under key,
// valid for ttl: S3 itself refuses another key, another content type,
// other metadata or a file of more than maxSize bytes (the policy's
// content-length-range). The browser posts fields, then the file as
// the form's last field "file".
func (l *Links) UploadForm(ctx context.Context, key, contentType string, maxSize int64, meta map[string]string, ttl time.Duration) (string, map[string]string, error) {
	conds := []any{
		[]any{"content-length-range", 1, maxSize},
		map[string]string{"Content-Type": contentType},
	}
	extra := map[string]string{"Content-Type": contentType}
	for k, v := range meta {
		name := "x-amz-meta-" + strings.ToLower(k)
		conds = append(conds, map[string]string{name: v})
		extra[name] = v
	}
	req, err := l.Presign.PresignPostObject(ctx, &s3.PutObjectInput{Bucket: &l.Bucket.Name, Key: &key},
		func(o *s3.PresignPostOptions) { o.Expires, o.Conditions = ttl, conds })
	if err != nil {
		return "", nil, fmt.Errorf("presign POST %s: %w", l.Bucket.Location(key), err)
	}
	fields := make(map[string]string, len(req.Values)+len(extra))
	for k, v := range req.Values {
		fields[k] = v
	}
	for k, v := range extra {
		fields[k] = v
	}
	return postURL(req.URL, key), fields, nil
}

// postURL is the bucket's URL a form posts to: the presigner resolves the
// object's URL, a form names the key in its fields.
func postURL(u, key string) string {
	if p, err := url.Parse(u); err == nil {
		p.Path = strings.TrimSuffix(p.Path, "/"+key)
		p.RawPath, p.RawQuery = "", ""
		return p.String()
	}
	return u
}

// Stat reads an object's size, content type and metadata (HeadObject);
// no such object is helpdesk.ErrNotFound.
func (l *Links) Stat(ctx context.Context, key string) (size int64, contentType string, meta map[string]string, err error) {
	head, err := l.Bucket.Client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &l.Bucket.Name, Key: &key})
	if err != nil {
		return 0, "", nil, l.Bucket.fail(key, err)
	}
	return aws.ToInt64(head.ContentLength), aws.ToString(head.ContentType), head.Metadata, nil
}
