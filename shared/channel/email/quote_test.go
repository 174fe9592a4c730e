package email

import (
	"strings"
	"testing"
)

func TestStripQuoted(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain text is kept", "Hello,\n\nthe export fails.\n\nJane", "Hello,\n\nthe export fails.\n\nJane"},
		{"crlf and trailing blanks", "Hi\r\n\r\n\r\nthere  \r\n\r\n", "Hi\n\nthere"},
		{"gmail attribution and quotes",
			"Thanks!\n\nOn Mon, 4 Mar 2024 at 16:20, Acme <support@acme.example> wrote:\n\n> Hello\n> there\n",
			"Thanks!"},
		{"attribution wrapped over two lines",
			"Yes.\n\nOn Wed, 6 Mar 2024 at 15:47, Acme Support via Help Desk <\nsupport@acme.example> wrote:\n\n> Hi\n",
			"Yes."},
		{"attribution wrapped over three lines",
			"Yes.\n\nOn Wed, 6 Mar 2024 at 15:47, A very long display name of\nthe sender <\nsupport@acme.example> wrote:\n> Hi\n",
			"Yes."},
		{"french attribution with non-breaking space",
			"D'accord.\n\nLe mar. 5 mars 2024 à 10:02, Acme <support@acme.example> a écrit\u00a0:\n> Bonjour\n",
			"D'accord."},
		{"german attribution",
			"Danke.\n\nAm Di., 5. März 2024 um 10:02 Uhr schrieb Acme <support@acme.example>:\n> Hallo\n",
			"Danke."},
		{"thunderbird german attribution without address",
			"Danke.\n\nAm 05.03.24 um 10:02 schrieb Acme Support:\n> Hallo\n",
			"Danke."},
		{"spanish and dutch attributions",
			"Gracias.\n\nEl lun, 4 mar 2024 a las 10:00, Acme (<support@acme.example>) escribió:\n> Hola\n",
			"Gracias."},
		{"name-and-address attribution",
			"Ok.\n\nAcme Support <support@acme.example> wrote:\n> Hi\n",
			"Ok."},
		{"prose mentioning an address is not an attribution",
			"Our accountant jane@example.com wrote:\nthe invoice total is wrong.",
			"Our accountant jane@example.com wrote:\nthe invoice total is wrong."},
		{"attribution without quotes cuts the rest (HTML-derived)",
			"Fine.\n\nOn Tue, 5 Mar 2024, Acme <support@acme.example> wrote:\n\nHello, unquoted history\n",
			"Fine."},
		{"a sentence starting with On is not an attribution",
			"On Monday we wrote: the report is late.\nPlease check.",
			"On Monday we wrote: the report is late.\nPlease check."},
		{"quoted lines without attribution", "> old line\nnew line\n> another old", "new line"},
		{"interleaved answers are kept",
			"On Sat, Mar 23, 2024, Acme wrote:\n> Q1?\n\nA1\n\n> Q2?\n\nA2\n",
			"A1\n\nA2"},
		{"outlook original message",
			"Go ahead.\n\n-----Original Message-----\nFrom: Acme\nSent: Monday\n\nold",
			"Go ahead."},
		{"localised original message lines",
			"Ok.\n-----Ursprüngliche Nachricht-----\nVon: Acme\n\nalt\n",
			"Ok."},
		{"samsung original message",
			"Yes.\n\n-------- Original message --------\nFrom: Acme \nDate: 15/03/2024\n",
			"Yes."},
		{"outlook from/sent block",
			"Sure.\n\nFrom: Acme Support <support@acme.example>\nSent: Thursday, March 7, 2024 6:02 PM\nTo: X\nSubject: Re: y\n\nold",
			"Sure."},
		{"bold from/sent block from HTML",
			"Sure.\n\n*From:* Acme Support <support@acme.example>\n*Sent:* Thursday\n*To:* X\n\nold",
			"Sure."},
		{"french de/envoyé block",
			"Merci.\n\nDe\u00a0: Acme <support@acme.example>\nEnvoyé\u00a0: mardi 12 mars 2024 17:31\nÀ\u00a0: X\nObjet\u00a0: Y\n\nvieux",
			"Merci."},
		{"german von/gesendet block",
			"Danke.\n\nVon: Acme <support@acme.example>\nGesendet: Donnerstag, 21. März 2024 16:20\nAn: X\n\nalt",
			"Danke."},
		{"a From line without Sent is text",
			"From: the finance team\nWe need the invoice.",
			"From: the finance team\nWe need the invoice."},
		{"underscore separator",
			"Done.\n\n________________________________\nFrom: Acme\nSent: today\n\nold",
			"Done."},
		{"signature delimiter", "Thanks\n\n-- \nJane Doe\nHead of Finance", "Thanks"},
		{"signature delimiter without its space", "Thanks\n--\nJane", "Thanks"},
		{"a dashed rule is not a signature", "Steps:\n---\n1. open", "Steps:\n---\n1. open"},
		{"sent from my iphone", "It arrived.\n\nSent from my iPhone\n\n> On Mar 15 wrote:\n> x", "It arrived."},
		{"android footer", "Ok\n\nSent from my Samsung Galaxy smartphone.", "Ok"},
		{"envoyé de mon iphone", "D'accord\n\nEnvoyé de mon iPhone", "D'accord"},
		{"von meinem iphone gesendet", "Ja\n\nVon meinem iPhone gesendet", "Ja"},
		{"get outlook for ios with link", "Done\n\nGet Outlook for iOS<https://aka.ms/o0ukef>", "Done"},
		{"get outlook for android", "Done\n\nGet Outlook for Android", "Done"},
		{"stripping everything keeps the text",
			"> only a quote\n> nothing else",
			"> only a quote\n> nothing else"},
		{"only a signature keeps the text", "-- \nJane", "-- \nJane"},
		{"gmail forward is kept with its header",
			"FYI\n\n---------- Forwarded message ---------\nFrom: Rosa <rosa@example.mx>\nDate: Mon\nSubject: Receipts\nTo: Paul\n\n\nHello Paul,\nhelp.\n\nOn Fri, Paul <p@x.example> wrote:\n> old\n",
			"FYI\n\n---------- Forwarded message ---------\nFrom: Rosa <rosa@example.mx>\nDate: Mon\nSubject: Receipts\nTo: Paul\n\nHello Paul,\nhelp."},
		{"forwarder signature before the forward",
			"See below.\n\n-- \nPaul, Acme\n\n---------- Forwarded message ---------\nFrom: Rosa <rosa@example.mx>\n\nHelp!\n\n-- \nRosa",
			"See below.\n\n---------- Forwarded message ---------\nFrom: Rosa <rosa@example.mx>\n\nHelp!"},
		{"apple forward",
			"Begin forwarded message:\n\nFrom: Wei <wei@example.cn>\nSubject: Refund\n\nPlease refund.",
			"Begin forwarded message:\n\nFrom: Wei <wei@example.cn>\nSubject: Refund\n\nPlease refund."},
		{"a forward after reply history is history",
			"Works now.\n\nFrom: Acme <support@acme.example>\nSent: Tuesday\n\n---------- Forwarded message ---------\nFrom: Rosa <rosa@example.mx>\n\nold",
			"Works now."},
		{"a quoted forward marker is history",
			"Thanks\n\n> ---------- Forwarded message ---------\n> From: Rosa <rosa@example.mx>\n",
			"Thanks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := StripQuoted(tc.in); got != tc.want {
				t.Errorf("StripQuoted(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStripQuotedOutlookForwardKeepsBlock(t *testing.T) {
	text := "Please handle.\n\n-----Original Message-----\nFrom: Ole <ole@example.no>\nSent: Monday\nSubject: Address\n\nShip to Oslo.\n\nFrom: Ole\nSent: earlier\n\nolder"
	lines := strings.Split(text, "\n")
	_, at, kind := scanQuoted(lines, -1)
	if kind != breakOutlook || at != 2 {
		t.Fatalf("first break = %d at line %d, want Outlook at 2", kind, at)
	}
	want := "Please handle.\n\n-----Original Message-----\nFrom: Ole <ole@example.no>\nSent: Monday\nSubject: Address\n\nShip to Oslo."
	if got := stripQuoted(text, at); got != want {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestUnflow(t *testing.T) {
	cases := []struct {
		in    string
		delsp bool
		want  string
	}{
		{"a long \nline\nnext", false, "a long line\nnext"},
		{"del\nsp \nyes", true, "del\nspyes"},
		{"> quoted \n> line\n>> deeper \n>> too", false, "> quoted line\n>> deeper too"},
		{"text \n> quote", false, "text \n> quote"},
		{" stuffed\n-- \nsig", false, "stuffed\n-- \nsig"},
	}
	for _, tc := range cases {
		if got := unflow(tc.in, tc.delsp); got != tc.want {
			t.Errorf("unflow(%q, %v) = %q, want %q", tc.in, tc.delsp, got, tc.want)
		}
	}
}
