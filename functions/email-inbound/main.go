// Command email-inbound reads the mail SES stored in the mail bucket, parses
// it and enqueues it on the ingest queue.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/store"
)

type config struct {
	boot.Common
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
	MailBucket     string `env:"MAIL_BUCKET,required"`
	MailPrefix     string `env:"MAIL_PREFIX" default:"inbound/"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)

	h := &receive.Handler{
		Files:    &s3files.Bucket{Client: s3.NewFromConfig(awsCfg), Name: cfg.MailBucket},
		Channels: store.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName),
		Queue:    &sqsqueue.Ingest{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.IngestQueueURL},
		Tenant:   cfg.Tenant,
		Prefix:   cfg.MailPrefix,
		Log:      log,
	}
	lambda.Start(lambdax.EmailInboundHandler(h))
}
