package localrun_test

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/wire"
)

// End to end on the emulators, as `make redrive` runs: a delivery for a
// page the stack does not serve is kept; the page's channel is then
// created; the redrive (its names found as the command finds them) queues
// its message, the router makes the ticket, and the delivery is moved
// under redriven/; a second redrive finds nothing and queues nothing.
func TestRedriveQueuesWhatWasKeptOnceItsChannelExists(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	const page = "999999999999999"
	body := strings.ReplaceAll(fresh(fixture(t, "messenger_text.json")), s.demo.PageID, page)
	if code := s.deliver(t, "/messenger", body); code != 200 {
		t.Fatalf("delivery: %d, want 200", code)
	}
	if n := s.queued(t); n != 0 {
		t.Fatalf("ingest queue holds %d for an unknown page", n)
	}

	demo, err := s.r.Store.GetChannel(ctx, "messenger:"+s.demo.PageID)
	if err != nil {
		t.Fatal(err)
	}
	ch := demo
	ch.ID, ch.Name = "messenger:"+page, "Acme Outlet on Facebook"
	settings := *demo.Messenger
	settings.PageID = page
	ch.Messenger = &settings
	if err := s.r.Store.PutChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}

	cfg := testbed.AWS(t, "DYNAMODB", "SQS", "S3")
	names, err := localrun.Names(ctx, s.sqs, s.r.Stack.Prefix)
	if err != nil || names.Table != s.r.Stack.TableName || names.MailBucket != s.r.Stack.Buckets["MailBucket"] ||
		names.IngestQueueURL != s.r.Stack.QueueURLs["IngestQueue"] {
		t.Fatalf("names %+v, %v; the stack has %s %v %v", names, err, s.r.Stack.TableName, s.r.Stack.Buckets, s.r.Stack.QueueURLs)
	}
	redrive := func(dry bool) []webhook.KeptDelivery {
		t.Helper()
		r, err := wire.Redrive(wire.RedriveConfig{Common: boot.Common{Tenant: "demo", TableName: names.Table},
			IngestQueueURL: names.IngestQueueURL, MailBucket: names.MailBucket, DryRun: dry}, cfg, quiet)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := r.Run(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		return kept
	}
	if kept := redrive(true); len(kept) != 1 || kept[0].Outcome != webhook.WouldRedrive || s.queued(t) != 0 {
		t.Fatalf("dry run: %+v", kept)
	}
	kept := redrive(false)
	if len(kept) != 1 || kept[0].Outcome != webhook.Redriven || kept[0].Queued != 1 || kept[0].Messages != 1 ||
		kept[0].Product != helpdesk.ChannelMessenger || strings.Join(kept[0].Channels, ",") != ch.ID {
		t.Fatalf("redrive: %+v", kept)
	}
	s.drain(t)
	ts := s.tickets(t)
	if len(ts) != 1 || ts[0].ChannelID != ch.ID {
		t.Fatalf("tickets after the redrive: %+v", ts)
	}

	bucket := names.MailBucket
	list, err := s.r.S3().ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String(webhook.UnknownChannelPrefix)})
	if err != nil || len(list.Contents) != 1 || !strings.HasPrefix(*list.Contents[0].Key, webhook.RedrivenPrefix) {
		t.Fatalf("after the redrive the bucket holds %v, %v; want it under %s only", list, err, webhook.RedrivenPrefix)
	}
	obj, err := s.r.S3().GetObject(ctx, &s3.GetObjectInput{Bucket: &bucket, Key: list.Contents[0].Key})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	if got, _ := io.ReadAll(obj.Body); string(got) != body {
		t.Fatalf("moved %d bytes, not the delivery", len(got))
	}

	if again := redrive(false); len(again) != 0 || s.queued(t) != 0 {
		t.Fatalf("second redrive: %+v, %d queued", again, s.queued(t))
	}
	s.drain(t)
	if n := len(s.tickets(t)); n != 1 {
		t.Fatalf("%d tickets after a second redrive, want 1", n)
	}
}

// queued is how many messages the ingest queue holds, visible or in flight.
func (s stack) queued(t *testing.T) int {
	t.Helper()
	url := s.r.Stack.QueueURLs["IngestQueue"]
	out, err := s.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, k := range []string{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"} {
		v, err := strconv.Atoi(out.Attributes[k])
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		n += v
	}
	return n
}
