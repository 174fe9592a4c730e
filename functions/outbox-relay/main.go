// Command outbox-relay publishes, every minute, the queue jobs a committed
// ticket change left in its outbox because the process that committed it
// died before publishing them.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.OutboxRelay, lambdax.ScheduledHandler) }
