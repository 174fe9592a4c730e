// Command email-inbound reads the mail SES stored in the mail bucket, parses
// it and enqueues it on the ingest queue.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.EmailInbound, lambdax.EmailInboundHandler) }
