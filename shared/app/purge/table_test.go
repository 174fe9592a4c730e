package purge_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
)

// s3Bucket is a fresh bucket on moto.
type s3Bucket struct {
	*s3files.Remover
	client *s3.Client
}

func newS3Bucket(t *testing.T) s3Bucket {
	cfg := testbed.AWS(t, "S3")
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	name := testbed.Name(t) + "-mail"
	if _, err := client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatal(err)
	}
	return s3Bucket{Remover: &s3files.Remover{Client: client, Name: name}, client: client}
}

func (b s3Bucket) put(t testing.TB, key string) {
	t.Helper()
	if _, err := b.client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &b.Name, Key: aws.String(key), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
}

// keys is a full listing of the bucket.
func (b s3Bucket) keys(t testing.TB) []string {
	t.Helper()
	return testbed.ListBucket(t, b.client, b.Name)
}

// scanAll lists every item of the table (a Scan: tests only).
func scanAll(t testing.TB, d *testbed.DynamoDBStore) []map[string]any {
	t.Helper()
	return testbed.ScanTable(t, d.DB, d.Table)
}

// assertTableHasNothingOf scans the whole table: no item but the dedupe
// records (kept on purpose for 30 days, so a late redelivery of a purged
// message does not bring it back; they hold ids, no content) names
// ticket id anywhere, in its keys or its values.
func assertTableHasNothingOf(t testing.TB, d *testbed.DynamoDBStore, id string) {
	t.Helper()
	for _, it := range scanAll(t, d) {
		pk := fmt.Sprint(it["PK"])
		if strings.HasPrefix(pk, "DEDUPE#") {
			continue
		}
		if text := fmt.Sprint(it); strings.Contains(text, id) {
			t.Errorf("left of ticket %s: %s / %v: %.300s", id, pk, it["SK"], text)
		}
	}
}
