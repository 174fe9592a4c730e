package compose_test

import (
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/email/compose"
	"github.com/stackdesk/stackdesk/shared/channel/email/replytoken"
)

// A reply as the outbound sender would build it: the reply token and the
// Message-ID are made first, then the MIME, which goes to SES as raw mail.
func ExampleBuild() {
	secret := []byte("0123456789abcdef0123456789abcdef") // from the stack's secret
	replyTo, err := replytoken.Address(secret, "support@acme.example", "1042")
	if err != nil {
		panic(err)
	}
	raw, err := compose.Build(compose.Reply{
		Tenant:        "acme-prod",
		TeamAddress:   "support@acme.example",
		CompanyName:   "Acme Support",
		FromMode:      compose.FromAgentAndCompany,
		AgentFullName: "Alice Martin",
		Signature:     "Best regards,\n{{first_name}}",
		ReplyTo:       replyTo,
		To:            []compose.Address{{Name: "Jean Dupont", Address: "jean@client.example"}},
		Subject:       "Order late",
		TicketID:      "1042",
		MessageID:     compose.NewMessageID("acme.example", "5b0e7a52-2f0c-4d8e-9a43-0c7f3b1d2e11"), // uuid.NewString()
		InReplyTo:     "<cust-1@client.example>",
		Text:          "Hello Jean,\n\nIt left this morning.",
		Date:          time.Date(2026, time.November, 21, 14, 5, 9, 0, time.UTC), // the injected clock
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(len(raw) > 0)
	// Output: true
}
