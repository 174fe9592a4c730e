// Command router consumes the ingest queue and applies each inbound message
// to a ticket.
package main

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/boot"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ingest"
	"github.com/stackdesk/stackdesk/shared/queue"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
)

type config struct {
	boot.Common
	OutboundQueueURL string `env:"OUTBOUND_QUEUE_URL,required"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)

	st := store.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	svc := &ingest.Service{
		Store:     st,
		Threader:  threading.Submission,
		Pipelines: helpdesk.DefaultPipelines(),
		Now:       time.Now,
		Log:       log,
		Router:    &routing.Router{Store: st, Now: time.Now, Rand: rand.IntN},
		Outbound:  &queue.Outbound{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.OutboundQueueURL},
	}
	lambda.Start(svc.HandleSQS)
}
