// Command csat-page serves the satisfaction survey's public page (GET and
// POST /csat): the customer rates a closed ticket through the signed link
// in its closing notification.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.CSATPage, lambdax.HTTPHandler) }
