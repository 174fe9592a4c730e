// Command email-inbound reads the mail SES stored in the mail bucket, parses
// it and enqueues it on the ingest queue.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() {
	var cfg wire.EmailInboundConfig
	awsCfg, log := boot.Init(context.Background(), &cfg)
	lambda.Start(lambdax.EmailInboundHandler(wire.EmailInbound(cfg, awsCfg, log)))
}
