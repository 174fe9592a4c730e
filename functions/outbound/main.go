// Command outbound consumes the outbound queue and sends each job: agent
// replies and automatic replies (SES, Messenger, WhatsApp) and notification
// emails.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.Outbound, lambdax.OutboundHandler) }
