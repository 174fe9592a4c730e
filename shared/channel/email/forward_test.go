package email

import (
	"strings"
	"testing"
)

func TestForwardSubjects(t *testing.T) {
	fwd := []string{"Fwd: x", "FWD: x", "Fw: x", "FW: x", "Fwd : x", "WG: x", "wg: x", "W: x", "TR : x", "TR: x", "RV: x",
		"Rif: x", "I: x", "Enc: x", "ENC: x", "VS: x", "VB: x", "VL: x", "PD: x", "Doorst: x", "Пересл.: x", "Переслано: x",
		"转发：x", "转发: x", "轉寄：x", "転送: x", "[Fwd: x]", "x (fwd)", "[EXT] FW: x", "Fw\u00a0: x"}
	for _, s := range fwd {
		if !isForwardSubject(s) {
			t.Errorf("%q: not a forward subject", s)
		}
		if got := trimForwardPrefix(s); got != "x" {
			t.Errorf("trimForwardPrefix(%q) = %q, want x", s, got)
		}
	}
	for _, s := range []string{"Re: Fwd: x", "AW: WG: x", "FW upgrade fails", "Invoice: overdue", "I need help", "Wir: x", "Transfer: x", "Forward planning"} {
		if isForwardSubject(s) {
			t.Errorf("%q taken for a forward subject", s)
		}
	}
}

// TestForwardKeptWhenNothingAbove: a mail that is only an Outlook-style
// block keeps it whole, whatever the subject.
func TestForwardKeptWhenNothingAbove(t *testing.T) {
	body := "-----Ursprüngliche Nachricht-----\nVon: Kunde <kunde@example.de>\nGesendet: Montag\nBetreff: Defekt\n\nDas Gerät ist defekt.\n"
	p, err := Parse(msg([]string{"From: Jan <jan@example.de>", "Subject: Defekt"}, body), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text, "Das Gerät ist defekt.") {
		t.Errorf("forwarded body lost: %q", p.Text)
	}
}
