// Command meta-webhook receives one of Meta's webhooks, chosen by
// META_PRODUCT: "messenger" (GET/POST /messenger) or "whatsapp" (GET/POST
// /whatsapp). The stack deploys it twice, as MessengerWebhookFunction and
// WhatsAppWebhookFunction, so each product has its own route, logs and
// alarms. It verifies, decodes and enqueues; it never touches tickets.
package main

import (
	"context"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/platform/secrets"
)

type config struct {
	boot.Common
	secrets.MetaConfig
	Product        string `env:"META_PRODUCT,required"`
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)
	kind := helpdesk.ChannelKind(cfg.Product)
	if kind != helpdesk.ChannelMessenger && kind != helpdesk.ChannelWhatsApp {
		log.Error("bad configuration", "error", "META_PRODUCT must be messenger or whatsapp", "META_PRODUCT", cfg.Product)
		os.Exit(1)
	}
	hook := &webhook.Meta{
		Kind:    kind,
		Secrets: cfg.MetaSource(awsCfg),
		Queue:   &sqsqueue.Ingest{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.IngestQueueURL},
		Log:     log,
	}
	mux := http.NewServeMux()
	hook.Register(mux)
	lambda.Start(httpadapter.NewV2(mux).ProxyWithContext)
}
