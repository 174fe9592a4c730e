// Command meta-webhook receives one of Meta's webhooks, chosen by
// META_PRODUCT: "messenger" (GET/POST /messenger) or "whatsapp" (GET/POST
// /whatsapp). The stack deploys it twice, as MessengerWebhookFunction and
// WhatsAppWebhookFunction, so each product has its own route, logs and
// alarms. It verifies, decodes and enqueues; it never touches tickets.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.MetaWebhook, lambdax.HTTPHandler) }
