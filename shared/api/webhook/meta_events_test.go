package webhook

import (
	"context"
	"io"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The Meta sample events (events/messenger-webhook, events/whatsapp-webhook,
// signed with the demo app secret) through the handler as the functions
// wire it behind API Gateway.
func TestMetaSampleEvents(t *testing.T) {
	cases := []struct {
		file               string
		kind               helpdesk.ChannelKind
		status             int
		body               string
		messages, statuses int
	}{
		{"../../../events/messenger-webhook/verify.json", helpdesk.ChannelMessenger, 200, "1158201444", 0, 0},
		{"../../../events/messenger-webhook/deliver-batched.json", helpdesk.ChannelMessenger, 200, EventReceived, 5, 2},
		{"../../../events/messenger-webhook/deliver-bad-signature.json", helpdesk.ChannelMessenger, 401, "", 0, 0},
		{"../../../events/whatsapp-webhook/deliver-media.json", helpdesk.ChannelWhatsApp, 200, EventReceived, 4, 0},
		{"../../../events/whatsapp-webhook/deliver-statuses.json", helpdesk.ChannelWhatsApp, 200, EventReceived, 0, 4},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			q := &fakeMetaQueue{}
			h := newMetaHandler(tc.kind, fakeMetaSecrets{app: "demo-meta-app-secret", verify: "demo-verify-token"}, q, io.Discard)
			resp, err := httpadapter.NewV2(h).ProxyWithContext(context.Background(), readEvent[events.APIGatewayV2HTTPRequest](t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status || (tc.body != "" && resp.Body != tc.body) {
				t.Fatalf("%d %q, want %d %q", resp.StatusCode, resp.Body, tc.status, tc.body)
			}
			if len(q.inbound) != tc.messages || len(q.statuses) != tc.statuses {
				t.Fatalf("queued %d messages, %d statuses; want %d, %d", len(q.inbound), len(q.statuses), tc.messages, tc.statuses)
			}
		})
	}
}
