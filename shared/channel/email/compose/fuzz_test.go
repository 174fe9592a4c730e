package compose

import (
	"bytes"
	"strings"
	"testing"

	"github.com/jhillyerd/enmime/v2"
)

// FuzzBuild: whatever people type in names, subjects, bodies and
// signatures, Build either refuses or writes a well-formed message that
// reads back with the subject reference and the body intact.
func FuzzBuild(f *testing.F) {
	f.Add("Réponse : commande n°42", "Chloé Dubois", "Bonjour\n", "<p>x</p>", "{{full_name}}", "a.pdf")
	f.Add("RE: x [#1042]", "\"Al\" <x@y>", "\r\r\n\n", "", "", "")
	f.Add(strings.Repeat("注文 ", 100), strings.Repeat("é", 300), strings.Repeat("=", 200), "\x00", "\xff\xfe", `..\..\x`)
	f.Fuzz(func(t *testing.T, subject, name, text, html, sig, file string) {
		r := sample()
		r.Subject, r.AgentFullName, r.Text, r.HTML, r.Signature = subject, name, text, html, sig
		r.To[0].Name = name
		r.Attachments[0].Name = file
		raw, err := Build(r)
		if err != nil {
			return
		}
		checkWireFormat(t, raw)
		env, err := enmime.ReadEnvelope(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("ReadEnvelope: %v", err)
		}
		if got := env.GetHeader("Subject"); !strings.Contains(got, "[#1042]") {
			t.Errorf("Subject %q lost its reference", got)
		}
		if len(env.Attachments) != 2 || env.GetHeader("X-Stackdesk-Ticket") != "1042" || env.GetHeader("Bcc") != "" {
			t.Errorf("structure lost: %d attachments", len(env.Attachments))
		}
	})
}
