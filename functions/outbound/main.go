// Command outbound consumes the outbound queue and sends each job: agent
// replies and automatic replies (SES, Messenger, WhatsApp) and notification
// emails.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() {
	var cfg wire.OutboundConfig
	awsCfg, log := boot.Init(context.Background(), &cfg)
	lambda.Start(lambdax.OutboundHandler(wire.Outbound(cfg, awsCfg, log), log))
}
