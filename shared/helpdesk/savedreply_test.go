package helpdesk

import (
	"strings"
	"testing"
)

func TestSavedReplyTokens(t *testing.T) {
	v := SnippetValues{ContactName: "  Jane Q. Public ", AgentName: "Ann Agent", TicketNumber: "1042"}
	cases := []struct{ in, want string }{
		{"Hi {{contact.first_name}}, {{ agent.name }} here about #{{ticket.number}}.", "Hi Jane, Ann Agent here about #1042."},
		{"no tokens", "no tokens"},
		{"{{unknown}} stays", "{{unknown}} stays"},
	}
	for _, c := range cases {
		if got := Render(c.in, v); got != c.want {
			t.Errorf("Render(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := Render("Hi {{contact.first_name}}!", SnippetValues{}); got != "Hi !" {
		t.Errorf("nameless contact: %q", got)
	}
	if err := CheckTokens("Hi {{contact.first_name}} {{agent.name}} {{ticket.number}}"); err != nil {
		t.Fatal(err)
	}
	err := CheckTokens("Hi {{contact.firstname}}")
	if ErrorReason(err) != "unknown_token" || !strings.Contains(ErrorMessage(err), "contact.firstname") {
		t.Fatalf("unknown token: %v", err)
	}
}
