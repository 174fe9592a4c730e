// Command router consumes the ingest queue and applies each inbound message
// to a ticket.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() {
	var cfg wire.RouterConfig
	awsCfg, log := boot.Init(context.Background(), &cfg)
	lambda.Start(lambdax.RouterHandler(wire.Router(cfg, awsCfg, log), log))
}
