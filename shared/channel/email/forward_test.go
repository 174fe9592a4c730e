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

// TestForwardSubjectKeepsOutlookStyleBlock: under a forward subject, the
// block after a separator in any of our languages is the forwarded message.
func TestForwardSubjectKeepsOutlookStyleBlock(t *testing.T) {
	cases := []struct{ subject, sep, from, sent string }{
		{"Fwd: Rechnung", "----- Original Nachricht ----", "Von:", "Datum:"},
		{"TR: Facture", "-------- Message d'origine --------", "De :", "Date :"},
		{"RV: Factura", "-------- Mensaje original --------", "De:", "Fecha:"},
		{"I: Fattura", "-------- Messaggio originale --------", "Da:", "Inviato:"},
		{"VS: Faktura", "-----Opprinnelig melding-----", "Fra:", "Sendt:"},
		{"Пересл.: Счёт", "-------- Исходное сообщение --------", "От:", "Дата:"},
		{"转发：发票", "------------------ 原始邮件 ------------------", "发件人:", "发送时间:"},
	}
	for _, tc := range cases {
		body := "Bitte prüfen.\n\n" + tc.sep + "\n" + tc.from + " Kunde <kunde@example.org>\n" + tc.sent + " 12.03.2024 10:11\n\nDas Paket fehlt.\n"
		p, err := Parse(msg([]string{"From: Agent <agent@acme.example>", "Subject: " + tc.subject}, body), Options{UseOriginalSender: true})
		if err != nil {
			t.Fatal(err)
		}
		if p.Forwarded == nil || p.Forwarded.OriginalFrom.Email != "kunde@example.org" || !strings.Contains(p.Text, "Das Paket fehlt.") {
			t.Errorf("%s: forwarded %+v, text %q", tc.subject, p.Forwarded, p.Text)
		}
	}
}
