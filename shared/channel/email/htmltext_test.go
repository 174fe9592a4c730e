package email

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHTMLToText(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"paragraphs", "<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"divs and br", "<div>Hi,</div><div><br></div><div>line<br>next</div>", "Hi,\n\nline\nnext"},
		{"no runs of blank lines", "<p>a</p><br><br><br><p></p><p>b</p>", "a\n\nb"},
		{"headings undecorated", "<h1>Title</h1><p>x</p><h2>Sub</h2>", "Title\n\nx\n\nSub"},
		{"bold and italic plain", "<p>a <b>bold</b> and <i>it</i></p>", "a bold and it"},
		{"hr is a blank line", "<p>a</p><hr><p>b</p>", "a\n\nb"},
		{"list", "<ul><li>one</li><li>two</li></ul>", "- one\n- two"},
		{"ordered and nested", "<ol><li>a<ul><li>x</li></ul></li><li>b</li></ol>", "1. a\n  - x\n2. b"},
		{"link differs", `<a href="https://x.example/p">the page</a>`, "the page (https://x.example/p)"},
		{"link equals text", `<a href="https://x.example/">x.example</a>`, "x.example"},
		{"mailto equals text", `<a href="mailto:a@b.example">a@b.example</a>`, "a@b.example"},
		{"image link", `<a href="https://x.example"><img src="cid:a"></a>`, ""},
		{"table rows", "<table><tr><td>Qty</td><td>2</td></tr><tr><td>Price</td><td></td></tr></table>", "Qty | 2\nPrice"},
		{"layout table", "<table><tr><td><p>Hello</p><p>World</p></td></tr></table>", "Hello\n\nWorld"},
		{"blockquote", "<p>new</p><blockquote><p>old</p><p>older</p></blockquote>", "new\n\n> old\n>\n> older"},
		{"pre", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"skipped", "<style>p{}</style><script>x()</script><p>t</p>", "t"},
		{"whitespace", "<p>  a \n\t b&nbsp;&nbsp;c </p>", "a b c"},
		{"outlook empty paragraphs", "<p class=MsoNormal>Hi,</p><p class=MsoNormal>&nbsp;</p><p class=MsoNormal>Text</p><p class=MsoNormal>Name</p><p class=MsoNormal>Firm</p>", "Hi,\n\nText\nName\nFirm"},
		{"hidden", `<div style="display:none">pre</div><p>t</p>`, "t"},
	}
	for _, tc := range cases {
		if got := htmlToText(tc.in); got != tc.want {
			t.Errorf("%s: htmlToText(%q) =\n%q\nwant\n%q", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestHTMLToTextDeepNesting: depth costs no stack (a recursive walk would
// crash the process on this).
func TestHTMLToTextDeepNesting(t *testing.T) {
	in := strings.Repeat("<div><blockquote><ul><li><a href=x>", 20000) + "deep"
	if got := htmlToText(in); !strings.Contains(got, "deep") {
		t.Errorf("deep text lost: %d bytes", len(got))
	}
}

// FuzzHTMLToText: no input panics; the text has no run of blank lines, no
// blank edges, and valid UTF-8 stays valid.
func FuzzHTMLToText(f *testing.F) {
	f.Add("<p>a</p><blockquote><p>b</p><br><br></blockquote><ul><li>c<ol><li>d</li></ol></li></ul><table><tr><td>e</td><td><a href=x>f</a></td></tr></table>")
	f.Add("<p class=MsoNormal>&nbsp;</p><pre>  x\n\n\n y</pre>")
	f.Fuzz(func(t *testing.T, in string) {
		got := htmlToText(in)
		if strings.Contains(got, "\n\n\n") || got != strings.Trim(got, "\n") {
			t.Errorf("blank lines in %q", got)
		}
		if utf8.ValidString(in) && !utf8.ValidString(got) {
			t.Errorf("invalid UTF-8 out: %q", got)
		}
	})
}
