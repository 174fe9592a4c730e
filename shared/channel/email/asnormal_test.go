package email

import (
	"strings"
	"testing"
)

// A forward a mailbox rule sent on its own (Exchange marks those
// Auto-Submitted) is classed an auto-reply, so it is filtered, without
// forward detection. When an agent promotes it (Options.AsNormal), it is
// read as normal mail: the forward is found, the customer is the sender,
// and Kind still says what the classifier made of it.
func TestAsNormalFindsTheForwardInFilteredMail(t *testing.T) {
	raw := strings.ReplaceAll(`From: Paul Smith <paul.smith@acme.example>
To: support@acme.example
Subject: FW: Cannot download my receipts
Date: Tue, 26 Mar 2024 08:30:14 +0100
Message-ID: <rule-fwd-1@acme.example>
Auto-Submitted: auto-generated
X-MS-Exchange-Inbox-Rules-Loop: paul.smith@acme.example
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

---------- Forwarded message ---------
From: Rosa Alvarez <rosa.alvarez@example.mx>
Date: Mon, 25 Mar 2024 at 18:03
Subject: Cannot download my receipts
To: Paul Smith <paul.smith@acme.example>

Hello Paul,

Since last week the "Download receipts" button does nothing.

Thank you,
Rosa
`, "\n", "\r\n")
	filtered, err := Parse([]byte(raw), Options{Tenant: "acme", UseOriginalSender: true})
	if err != nil {
		t.Fatal(err)
	}
	if filtered.Kind != KindAutoReply || filtered.Forwarded != nil || filtered.From.Email != "paul.smith@acme.example" {
		t.Fatalf("as received: kind %s, forwarded %+v, from %s", filtered.Kind, filtered.Forwarded, filtered.From.Email)
	}
	p, err := Parse([]byte(raw), Options{Tenant: "acme", UseOriginalSender: true, AsNormal: true})
	if err != nil {
		t.Fatal(err)
	}
	if p.Forwarded == nil || p.Forwarded.By.Email != "paul.smith@acme.example" || p.Forwarded.OriginalFrom.Email != "rosa.alvarez@example.mx" ||
		p.Forwarded.Subject != "Cannot download my receipts" {
		t.Fatalf("as normal: forwarded %+v", p.Forwarded)
	}
	if p.From.Email != "rosa.alvarez@example.mx" || p.From.Name != "Rosa Alvarez" || !strings.Contains(p.Text, `"Download receipts" button does nothing`) {
		t.Fatalf("as normal: from %+v, text %q", p.From, p.Text)
	}
	if p.Kind != KindAutoReply || p.KindReason != "auto-submitted: auto-generated" {
		t.Fatalf("as normal: kind %s (%s), want the classifier's", p.Kind, p.KindReason)
	}
}
