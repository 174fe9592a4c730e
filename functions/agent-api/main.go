// Command agent-api serves the agent API (GET /api/me, views, tickets,
// replies, notes): the HTTP interface agents and admins work the desk
// through, signed in with the stack's Cognito user pool.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.AgentAPI, lambdax.HTTPHandler) }
