// Command form-webhook accepts web-form submissions (POST /forms/{channelId})
// and enqueues them on the ingest queue.
package main

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/google/uuid"

	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/store"
)

type config struct {
	boot.Common
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)

	db := store.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	forms := &webhook.Forms{
		Channels: db,
		Queue:    &sqsqueue.Ingest{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.IngestQueueURL},
		Settings: &settings.Cache{Source: db, TTL: settings.DefaultTTL, Now: time.Now, Log: log},
		Now:      time.Now,
		NewID:    uuid.NewString,
		Log:      log,
	}
	mux := http.NewServeMux()
	forms.Register(mux)
	lambda.Start(httpadapter.NewV2(mux).ProxyWithContext)
}
