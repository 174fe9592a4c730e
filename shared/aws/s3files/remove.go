package s3files

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// RemoveClient is the subset of the S3 client a Remover uses.
type RemoveClient interface {
	DeleteObjects(ctx context.Context, in *s3.DeleteObjectsInput, opts ...func(*s3.Options)) (*s3.DeleteObjectsOutput, error)
}

// Remover deletes objects of one bucket (the purge cascade's files).
type Remover struct {
	Client RemoveClient
	Name   string
}

// Delete deletes keys, 1,000 a call (S3's limit). A key that is gone
// already is no error: S3 reports it deleted, so a re-run is harmless.
func (r *Remover) Delete(ctx context.Context, keys []string) error {
	for len(keys) > 0 {
		n := min(len(keys), 1000)
		objs := make([]types.ObjectIdentifier, n)
		for i, k := range keys[:n] {
			objs[i] = types.ObjectIdentifier{Key: aws.String(k)}
		}
		out, err := r.Client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &r.Name, Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(true)}})
		if err != nil {
			return fmt.Errorf("delete %d objects of s3://%s: %w", n, r.Name, err)
		}
		if len(out.Errors) > 0 {
			e := out.Errors[0]
			return fmt.Errorf("delete s3://%s/%s: %s %s (%d of %d failed)", r.Name, aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message), len(out.Errors), n)
		}
		keys = keys[n:]
	}
	return nil
}
