// Command portal-api serves the customer portal's API (/portal/api/*):
// passwordless sign-in by a mailed link or code, and the customer's own
// tickets.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.PortalAPI, lambdax.HTTPHandler) }
