// Command outbox-relay publishes, every minute, the queue jobs a committed
// ticket change left in its outbox because the process that committed it
// died before publishing them.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() {
	var cfg wire.OutboxRelayConfig
	awsCfg, log := boot.Init(context.Background(), &cfg)
	lambda.Start(lambdax.ScheduledHandler(wire.OutboxRelay(cfg, awsCfg, log), log))
}
