// Command outbox-relay publishes, every minute, the queue jobs a committed
// ticket change left in its outbox because the process that committed it
// died before publishing them.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/store"
)

type config struct {
	boot.Common
	OutboundQueueURL string        `env:"OUTBOUND_QUEUE_URL,required"`
	Grace            time.Duration `env:"OUTBOX_GRACE" default:"30s"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)
	relay := &outbox.Relay{
		Store:     store.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName),
		Publisher: &sqsqueue.Outbound{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.OutboundQueueURL},
		Now:       time.Now,
		Grace:     cfg.Grace,
		Log:       log,
	}
	lambda.Start(lambdax.ScheduledHandler(relay, log))
}
