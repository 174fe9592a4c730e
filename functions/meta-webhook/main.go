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
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() {
	var cfg wire.MetaWebhookConfig
	awsCfg, log := boot.Init(context.Background(), &cfg)
	hook, err := wire.MetaWebhook(cfg, awsCfg, log)
	if err != nil {
		log.Error("bad configuration", "error", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	hook.Register(mux)
	lambda.Start(httpadapter.NewV2(mux).ProxyWithContext)
}
