// Command form-webhook accepts web-form submissions (POST /forms/{channelId})
// and enqueues them on the ingest queue.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.FormWebhook, lambdax.HTTPHandler) }
