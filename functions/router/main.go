// Command router consumes the ingest queue and applies each inbound message
// to a ticket.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.Router, lambdax.RouterHandler) }
