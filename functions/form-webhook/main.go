// Command form-webhook accepts web-form submissions (POST /forms/{channelId})
// and enqueues them on the ingest queue.
package main

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() {
	var cfg wire.FormWebhookConfig
	awsCfg, log := boot.Init(context.Background(), &cfg)
	mux := http.NewServeMux()
	wire.FormWebhook(cfg, awsCfg, log).Register(mux)
	lambda.Start(httpadapter.NewV2(mux).ProxyWithContext)
}
