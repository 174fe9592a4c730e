package helpdesk

import (
	"strings"
	"testing"
)

func TestValidTicketID(t *testing.T) {
	for id, want := range map[string]bool{
		"1": true, "0042": true, strings.Repeat("9", MaxTicketIDLen): true,
		"": false, strings.Repeat("9", MaxTicketIDLen+1): false, "12a": false, "-1": false, "1 ": false,
		"١٢":   false, // Arabic-Indic digits are not a ticket number
		"../1": false, "1%00": false,
	} {
		if got := ValidTicketID(id); got != want {
			t.Errorf("ValidTicketID(%q) = %v, want %v", id, got, want)
		}
	}
}
