// Command unsubscribe serves the link in customer notification emails
// (GET and POST /unsubscribe?token=): it records the contact's opt-out.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.Unsubscribe, lambdax.HTTPHandler) }
