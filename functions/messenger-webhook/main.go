// Command messenger-webhook receives Meta's Messenger webhook (GET /messenger: the
// subscription handshake; POST /messenger: signed deliveries) and enqueues what
// it carries on the ingest queue. It never touches tickets.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/stackdesk/stackdesk/shared/boot"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/queue"
	"github.com/stackdesk/stackdesk/shared/secrets"
	"github.com/stackdesk/stackdesk/shared/webhooks"
)

type config struct {
	boot.Common
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
	// MetaSecretARN names the secret holding the app secret and verify token.
	MetaSecretARN string `env:"META_SECRET_ARN,required"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)

	hook := &webhooks.Meta{
		Kind:    helpdesk.ChannelMessenger,
		Secrets: &secrets.MetaSource{Client: secretsmanager.NewFromConfig(awsCfg), SecretID: cfg.MetaSecretARN},
		Queue:   &queue.Ingest{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.IngestQueueURL},
		Log:     log,
	}
	mux := http.NewServeMux()
	hook.Register(mux)
	lambda.Start(httpadapter.NewV2(mux).ProxyWithContext)
}
