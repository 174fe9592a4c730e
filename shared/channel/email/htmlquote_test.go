package email

import (
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// Real-shaped HTML of each client's reply: the new part keeps what the
// customer wrote, the quoted part starts at the client's quote container.
func TestSplitHTML(t *testing.T) {
	tests := []struct {
		name, raw, wantNew, wantQuoted string
	}{{
		name:       "gmail",
		raw:        `<div dir="ltr">Thanks, it works now.<div><br></div><div>Jane</div></div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Mon, 4 Mar 2024 at 16:20, Acme Support &lt;<a href="mailto:support@acme.example">support@acme.example</a>&gt; wrote:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">Try restarting.<br></blockquote></div>`,
		wantNew:    `<div dir="ltr">Thanks, it works now.<div><br></div><div>Jane</div></div><br>`,
		wantQuoted: `<div><div dir="ltr">On Mon, 4 Mar 2024 at 16:20, Acme Support &lt;<a href="mailto:support@acme.example" rel="nofollow">support@acme.example</a>&gt; wrote:<br></div><blockquote>Try restarting.<br></blockquote></div>`,
	}, {
		name:    "gmail attribution line alone",
		raw:     `<div>New text</div><div class="gmail_attr">On Mon, X wrote:</div><blockquote>old</blockquote>`,
		wantNew: `<div>New text</div>`, wantQuoted: `<div>On Mon, X wrote:</div><blockquote>old</blockquote>`,
	}, {
		name:       "outlook web: appendonsend, hr, divRplyFwdMsg",
		raw:        `<html><head><style>p{margin:0}</style></head><body><div dir="ltr">The invite button is greyed out.</div><div id="appendonsend"></div><hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr"><font face="Calibri"><b>From:</b> Acme Support<br><b>Sent:</b> 11 March 2024 18:20</font><div>&nbsp;</div></div><div>Only the owner can invite admins.</div></body></html>`,
		wantNew:    `<div dir="ltr">The invite button is greyed out.</div>`,
		wantQuoted: `<div id="appendonsend"></div><hr><div id="divRplyFwdMsg" dir="ltr"><b>From:</b> Acme Support<br><b>Sent:</b> 11 March 2024 18:20<div> </div></div><div>Only the owner can invite admins.</div>`,
	}, {
		name:    "outlook web without appendonsend: the hr goes with the history",
		raw:     `<div>Yes.</div><hr><div id="divRplyFwdMsg"><b>From:</b> A</div><div>Q?</div>`,
		wantNew: `<div>Yes.</div>`, wantQuoted: `<hr><div id="divRplyFwdMsg"><b>From:</b> A</div><div>Q?</div>`,
	}, {
		name:       "outlook desktop: border-top header block",
		raw:        `<div class="WordSection1"><p class="MsoNormal">Clearing the cookies did not help.<o:p></o:p></p><div><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Acme Support<br><b>Sent:</b> Thursday</p></div></div><p class="MsoNormal">Could you clear the cookies?</p></div>`,
		wantNew:    `<div><p>Clearing the cookies did not help.</p><div></div></div>`,
		wantQuoted: `<div><p><b>From:</b> Acme Support<br><b>Sent:</b> Thursday</p></div><p>Could you clear the cookies?</p>`,
	}, {
		name:       "apple mail: blockquote type=cite",
		raw:        `<html><body dir="auto">It arrived today, thank you!<br><br><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br><blockquote type="cite">On Mar 15, 2024, at 10:05, Acme &lt;support@acme.example&gt; wrote:<br><br></blockquote></div><blockquote type="cite"><div dir="ltr">Out for delivery.</div></blockquote></body></html>`,
		wantNew:    `It arrived today, thank you!<br><br><div dir="ltr">Sent from my iPhone</div><div dir="ltr"><br></div>`,
		wantQuoted: `<blockquote>On Mar 15, 2024, at 10:05, Acme &lt;support@acme.example&gt; wrote:<br><br></blockquote><blockquote><div dir="ltr">Out for delivery.</div></blockquote>`,
	}, {
		name:       "thunderbird: moz-cite-prefix",
		raw:        `<html><body><p>Danke, erledigt.</p><div class="moz-cite-prefix">Am 20.03.24 um 17:02 schrieb Acme:<br></div><blockquote type="cite" cite="mid:abc@acme.example">Hallo Max</blockquote><br></body></html>`,
		wantNew:    `<p>Danke, erledigt.</p>`,
		wantQuoted: `<div>Am 20.03.24 um 17:02 schrieb Acme:<br></div><blockquote>Hallo Max</blockquote><br>`,
	}, {
		name:       "yahoo",
		raw:        `<div class="ydp1a2b3cyahoo-style-wrap"><div>Sounds good.</div></div><div id="yahoo_quoted_8812" class="yahoo_quoted"><div style="font-size:13px"><div>On Tuesday, X wrote:</div><div>Old text</div></div></div>`,
		wantNew:    `<div><div>Sounds good.</div></div>`,
		wantQuoted: `<div id="yahoo_quoted_8812"><div><div>On Tuesday, X wrote:</div><div>Old text</div></div></div>`,
	}, {
		name:       "plain trailing top-level blockquote",
		raw:        `<p>Agreed.</p><p>On Monday X wrote:</p><blockquote><p>Shall we?</p></blockquote><br>`,
		wantNew:    `<p>Agreed.</p><p>On Monday X wrote:</p>`,
		wantQuoted: `<blockquote><p>Shall we?</p></blockquote><br>`,
	}, {
		name:    "interleaved blockquotes are not history",
		raw:     `<blockquote>Question 1?</blockquote><p>Answer 1.</p><blockquote>Question 2?</blockquote><p>Answer 2.</p>`,
		wantNew: `<blockquote>Question 1?</blockquote><p>Answer 1.</p><blockquote>Question 2?</blockquote><p>Answer 2.</p>`,
	}, {
		name:    "nothing recognised",
		raw:     `<div>Hello <b>there</b></div>`,
		wantNew: `<div>Hello <b>there</b></div>`,
	}, {
		name:    "quote with nothing before it stays whole",
		raw:     `<div class="gmail_quote"><blockquote>only history</blockquote></div>`,
		wantNew: `<div><blockquote>only history</blockquote></div>`,
	}, {
		name:       "unclosed tags are closed on both sides",
		raw:        `<div><p>New<div class="gmail_quote"><b>old`,
		wantNew:    `<div><p>New</p></div>`,
		wantQuoted: `<div><b>old</b></div>`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, q := SplitHTML(tt.raw)
			if n != tt.wantNew {
				t.Errorf("new:\n got %s\nwant %s", n, tt.wantNew)
			}
			if q != tt.wantQuoted {
				t.Errorf("quoted:\n got %s\nwant %s", q, tt.wantQuoted)
			}
			checkSplit(t, tt.raw)
		})
	}
}

// A Gmail inline forward keeps its forwarded body in the new HTML, as the
// text logic keeps it in Text; a reply in the same client is split.
func TestSplitHTMLForwardKeptLikeText(t *testing.T) {
	for name, wantQuoted := range map[string]bool{"forward-gmail-inline": false, "forward-apple-inline": false, "gmail-reply": true} {
		raw, err := os.ReadFile("testdata/" + name + ".eml")
		if err != nil {
			t.Fatal(err)
		}
		p, err := Parse(raw, defaultOpts)
		if err != nil {
			t.Fatal(err)
		}
		if (p.QuotedHTML != "") != wantQuoted {
			t.Errorf("%s: quoted HTML %q", name, p.QuotedHTML)
		}
		if name == "forward-gmail-inline" && !strings.Contains(p.HTML, "Forwarded message") {
			t.Errorf("%s: forwarded body lost from the new HTML: %s", name, p.HTML)
		}
	}
}

// checkSplit: the raw halves are balanced and hold every byte of text and
// every tag of the original (only end tags are added or dropped).
func checkSplit(t testing.TB, raw string) {
	t.Helper()
	n, q, ok := splitQuotedHTML(raw)
	if !ok {
		if n != raw || q != "" {
			t.Errorf("nothing recognised, yet the HTML changed")
		}
		return
	}
	if got, want := content(n)+content(q), content(raw); got != want {
		t.Errorf("content lost or changed:\n got %q\nwant %q", got, want)
	}
	for _, half := range []string{n, q} {
		if balanced(raw) && !balanced(half) {
			t.Errorf("half not balanced: %q", half)
		}
	}
}

// content is the text and start tags of HTML (text by its data: the tail of
// a half may be re-escaped; comments are not content, the sanitiser drops
// them, and one cut off by the end of the input is closed).
func content(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return b.String()
		case html.EndTagToken, html.CommentToken, html.DoctypeToken:
		case html.TextToken:
			b.WriteString(html.EscapeString(z.Token().Data))
		default:
			b.Write(z.Raw())
		}
	}
}

// balanced reports whether every end tag closes the innermost open element
// and none is left open.
func balanced(s string) bool {
	var stack []string
	for _, t := range tokenize(s) {
		switch t.typ {
		case html.StartTagToken:
			if !voidElements[t.name] {
				stack = append(stack, t.name)
			}
		case html.EndTagToken:
			if len(stack) == 0 || stack[len(stack)-1] != t.name {
				return false
			}
			stack = stack[:len(stack)-1]
		}
	}
	return len(stack) == 0
}

// FuzzSplitHTML: no input panics, nothing of the original is lost, a
// balanced original gives balanced halves, and valid UTF-8 stays valid.
func FuzzSplitHTML(f *testing.F) {
	f.Add(`<div>a</div><div class="gmail_quote"><blockquote>b</blockquote></div>`)
	f.Add(`<div><p>a<div id="divRplyFwdMsg"></p></div><hr>b</div></span>`)
	f.Add(`<p>a</p><blockquote type="cite">b</blockquote>`)
	f.Add(`<blockquote>q</blockquote><p>a</p><blockquote><script>x</blockquote></script>`)
	f.Fuzz(func(t *testing.T, raw string) {
		checkSplit(t, raw)
		n, q := SplitHTML(raw)
		if utf8.ValidString(raw) && (!utf8.ValidString(n) || !utf8.ValidString(q)) {
			t.Errorf("SplitHTML broke UTF-8")
		}
	})
}
