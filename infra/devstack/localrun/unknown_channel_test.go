package localrun_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk/shared/api/webhook"
)

// A delivery for a page this stack does not serve is acknowledged, never
// queued (it would fail five times into the DLQ), and kept in the bucket
// under unknown-channel/ for redrive.
func TestMessengerDeliveryForAnUnknownPageIsKeptNotQueued(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	// The fixture's page is the demo page; this one is nobody's.
	body := strings.ReplaceAll(fresh(fixture(t, "messenger_text.json")), s.demo.PageID, "999999999999999")
	if code := s.deliver(t, "/messenger", body); code != 200 {
		t.Fatalf("delivery: %d, want 200", code)
	}
	url := s.r.Stack.QueueURLs["IngestQueue"]
	out, err := s.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		t.Fatal(err)
	}
	if n := out.Attributes["ApproximateNumberOfMessages"]; n != "0" {
		t.Fatalf("ingest queue holds %s messages; want none", n)
	}
	bucket, prefix := s.r.Stack.Buckets["MailBucket"], webhook.UnknownChannelPrefix
	list, err := s.r.S3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	if err != nil || len(list.Contents) != 1 {
		t.Fatalf("kept %v, %v; want one delivery under %s", list, err, prefix)
	}
	obj, err := s.r.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: list.Contents[0].Key})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	if got, _ := io.ReadAll(obj.Body); string(got) != body {
		t.Fatalf("kept %d bytes, not the delivery", len(got))
	}
}
