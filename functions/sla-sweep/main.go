// Command sla-sweep, every minute, warns of SLA targets about to breach
// and records breaches: the tickets whose check is due, from the sparse
// due-date index (GSI6), each checked by the ticket model once.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.SLASweep, lambdax.ScheduledHandler) }
