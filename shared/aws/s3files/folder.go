package s3files

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// FolderClient is the subset of the S3 client a Folder uses besides the
// bucket's.
type FolderClient interface {
	ListObjectsV2(ctx context.Context, in *s3.ListObjectsV2Input, opts ...func(*s3.Options)) (*s3.ListObjectsV2Output, error)
	CopyObject(ctx context.Context, in *s3.CopyObjectInput, opts ...func(*s3.Options)) (*s3.CopyObjectOutput, error)
	DeleteObject(ctx context.Context, in *s3.DeleteObjectInput, opts ...func(*s3.Options)) (*s3.DeleteObjectOutput, error)
}

// Folder lists, reads and moves the objects of a bucket under a prefix:
// what ops tools need (the redrive of kept Meta deliveries), which the
// functions do not.
type Folder struct {
	Bucket               // reads (Read)
	Objects FolderClient // lists, copies, deletes
}

// Keys lists every key under prefix, in key order.
func (f *Folder) Keys(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	in := &s3.ListObjectsV2Input{Bucket: &f.Name, Prefix: &prefix}
	for {
		out, err := f.Objects.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", f.Location(prefix), err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			return keys, nil
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

// Move moves the object at from to to: a copy, then the delete. If the
// delete fails the object is in both places (the caller's next run sees it
// again), never in neither.
func (f *Folder) Move(ctx context.Context, from, to string) error {
	segs := strings.Split(from, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	src := f.Name + "/" + strings.Join(segs, "/")
	if _, err := f.Objects.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &f.Name, Key: &to, CopySource: &src}); err != nil {
		return f.fail(from, fmt.Errorf("copy to %s: %w", to, err))
	}
	if _, err := f.Objects.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &f.Name, Key: &from}); err != nil {
		return fmt.Errorf("%s: delete after the copy to %s: %w", f.Location(from), to, err)
	}
	return nil
}
