package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json from the parser's output (then review every diff: the goldens are the spec)")

// defaultOpts are the options of every fixture unless fixtureOpts says otherwise.
var defaultOpts = Options{Tenant: "acme", UseOriginalSender: true}

// fixtureOpts are the fixtures that need other options.
var fixtureOpts = map[string]Options{
	"attachment-too-large":        {Tenant: "acme", UseOriginalSender: true, MaxAttachmentBytes: 4096},
	"forward-gmail-log-forwarder": {Tenant: "acme", UseOriginalSender: false},
}

// golden is what a fixture is expected to parse into. Texts are kept as line
// arrays so a reviewer reads them as they appear.
type golden struct {
	Error             string            `json:"error,omitempty"`
	Kind              Kind              `json:"kind,omitempty"`
	KindReason        string            `json:"kind_reason,omitempty"`
	From              *helpdesk.Sender  `json:"from,omitempty"`
	Forwarded         *Forward          `json:"forwarded,omitempty"`
	Subject           string            `json:"subject,omitempty"`
	Date              string            `json:"date,omitempty"`
	MessageID         string            `json:"message_id,omitempty"`
	InReplyTo         []string          `json:"in_reply_to,omitempty"`
	References        []string          `json:"references,omitempty"`
	ReplyTo           []string          `json:"reply_to,omitempty"`
	To                []string          `json:"to,omitempty"`
	Cc                []string          `json:"cc,omitempty"`
	Text              []string          `json:"text,omitempty"`
	FullText          []string          `json:"full_text,omitempty"`
	HTML              string            `json:"html,omitempty"`
	QuotedHTML        string            `json:"quoted_html,omitempty"`
	Attachments       []goldenAtt       `json:"attachments,omitempty"`
	Rejected          []Rejected        `json:"rejected,omitempty"`
	BouncedMessageIDs []string          `json:"bounced_message_ids,omitempty"`
	BounceRecipients  []BounceRecipient `json:"bounce_recipients,omitempty"`
	Warnings          []string          `json:"warnings,omitempty"`
}

type goldenAtt struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	ContentID   string `json:"content_id,omitempty"`
	Inline      bool   `json:"inline,omitempty"`
	SHA256      string `json:"sha256"` // first 16 hex digits
	Note        string `json:"note,omitempty"`
}

func toGolden(p *Parsed, err error) golden {
	if err != nil {
		return golden{Error: err.Error()}
	}
	g := golden{
		Kind: p.Kind, KindReason: p.KindReason, Forwarded: p.Forwarded, Subject: p.Subject,
		MessageID: p.MessageID, InReplyTo: p.InReplyTo, References: p.References,
		ReplyTo: p.ReplyTo, To: p.To, Cc: p.Cc,
		Text: lines(p.Text), FullText: lines(p.FullText), HTML: p.HTML, QuotedHTML: p.QuotedHTML,
		Rejected: p.Rejected, BouncedMessageIDs: p.BouncedMessageIDs, BounceRecipients: p.BounceRecipients,
		Warnings: p.Warnings,
	}
	if p.From != (helpdesk.Sender{}) {
		from := p.From
		g.From = &from
	}
	if !p.Date.IsZero() {
		g.Date = p.Date.Format(time.RFC3339)
	}
	if p.Text == p.FullText {
		g.FullText = []string{"(same as text)"}
	}
	for _, a := range p.Attachments {
		sum := sha256.Sum256(a.Data)
		g.Attachments = append(g.Attachments, goldenAtt{a.Name, a.ContentType, a.Size, a.ContentID, a.Inline, hex.EncodeToString(sum[:8]), a.Note})
	}
	return g
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func fixtures(t testing.TB) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	return names
}

func TestCorpusSize(t *testing.T) {
	if n := len(fixtures(t)); n < 40 {
		t.Errorf("%d fixtures, the corpus needs at least 40", n)
	}
}

// TestGolden parses every fixture and compares the result with its golden
// file. Run with -update to rewrite them, then review each diff by hand.
func TestGolden(t *testing.T) {
	for _, path := range fixtures(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := corpus[name]; !ok {
				t.Errorf("fixture %s is not described in corpus (corpus_test.go)", name)
			}
			opts, ok := fixtureOpts[name]
			if !ok {
				opts = defaultOpts
			}
			p, err := Parse(raw, opts)
			checkInvariants(t, p, err)
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false) // goldens are read by people: keep <, > and & as they are
			enc.SetIndent("", "  ")
			if err := enc.Encode(toGolden(p, err)); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			goldenPath := filepath.Join("testdata", name+".golden.json")
			if *update {
				if err := os.WriteFile(goldenPath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatalf("no golden file (run go test -run TestGolden -update and review it): %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("parse result differs from %s:\n%s", goldenPath, lineDiff(string(want), string(got)))
			}
		})
	}
}

// checkInvariants holds for every input: an error wraps ErrMalformed or
// ErrTooLarge; a result has only valid UTF-8, lower-cased addresses, a kind,
// a reason when it is not normal, and Text no longer than FullText.
func checkInvariants(t testing.TB, p *Parsed, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrTooLarge) {
			t.Errorf("error %v wraps neither ErrMalformed nor ErrTooLarge", err)
		}
		if errors.Is(err, errPanic) {
			t.Errorf("parser panicked: %v", err)
		}
		if p != nil {
			t.Errorf("error %v with a result", err)
		}
		return
	}
	if p == nil {
		t.Fatal("nil result without error")
	}
	strs := []string{p.MessageID, p.From.Email, p.From.Name, p.Subject, p.Text, p.FullText, p.HTML, p.QuotedHTML, p.KindReason}
	strs = append(strs, p.InReplyTo...)
	strs = append(strs, p.References...)
	strs = append(strs, p.BouncedMessageIDs...)
	strs = append(strs, p.Warnings...)
	for _, a := range p.Attachments {
		strs = append(strs, a.Name, a.ContentType, a.ContentID)
		if a.Size != int64(len(a.Data)) {
			t.Errorf("attachment %q size %d, data %d bytes", a.Name, a.Size, len(a.Data))
		}
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			t.Errorf("invalid UTF-8: %q", s)
		}
	}
	for _, list := range [][]string{p.To, p.Cc, p.ReplyTo, {p.From.Email}} {
		for _, a := range list {
			if a != strings.ToLower(a) {
				t.Errorf("address %q not lower-cased", a)
			}
		}
	}
	switch p.Kind {
	case KindNormal:
		if p.KindReason != "" {
			t.Errorf("normal mail with reason %q", p.KindReason)
		}
	case KindAutoReply, KindBounce, KindBulk, KindLoop:
		if p.KindReason == "" {
			t.Errorf("kind %s without a reason", p.Kind)
		}
	default:
		t.Errorf("unknown kind %q", p.Kind)
	}
	if len(p.Text) > len(p.FullText) && p.Forwarded == nil {
		t.Errorf("text (%d bytes) longer than full text (%d bytes)", len(p.Text), len(p.FullText))
	}
	if p.QuotedHTML != "" && p.HTML == "" {
		t.Error("quoted HTML without new HTML")
	}
	if p.FullText != "" && p.Text == "" {
		t.Error("empty text from a non-empty full text")
	}
}

// lineDiff shows the first differing lines of want and got.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
			if shown++; shown == 10 {
				break
			}
		}
	}
	return b.String()
}
