package helpdesk

import (
	"strings"
	"testing"
	"unicode/utf8"
)

const (
	eAcute     = "e\u0301"                                    // e + combining acute: 2 runes, 3 bytes
	thumbsTone = "\U0001F44D\U0001F3FD"                       // 👍🏽: 2 runes, 8 bytes
	family     = "\U0001F468\u200d\U0001F469\u200d\U0001F467" // 👨‍👩‍👧: 5 runes, 18 bytes
	flagFR     = "\U0001F1EB\U0001F1F7"                       // 🇫🇷: 2 runes, 8 bytes
	flagDE     = "\U0001F1E9\U0001F1EA"                       // 🇩🇪
	heartVS    = "\u2764\ufe0f"                               // ❤️: 2 runes, 6 bytes
)

func TestTruncateRunes(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		max      int
		ellipsis string
		want     string
	}{
		{"ascii fits", "hello", 10, Ellipsis, "hello"},
		{"ascii exact", "hello", 5, Ellipsis, "hello"},
		{"ascii cut", "hello world", 5, Ellipsis, "hell…"},
		{"ascii cut no marker", "hello world", 5, "", "hello"},
		{"ascii cut dots", "hello world", 8, "...", "hello..."},
		{"keeps spaces", "  hello world  ", 8, "", "  hello "},
		{"empty", "", 0, Ellipsis, ""},
		{"limit 0", "hello", 0, Ellipsis, ""},
		{"limit 0 no marker", "hello", 0, "", ""},
		{"limit negative", "hello", -3, Ellipsis, ""},
		{"limit 1 marker", "hello", 1, Ellipsis, "…"},
		{"limit 1 no marker", "hello", 1, "", "h"},
		{"limit 1 fits", "h", 1, Ellipsis, "h"},
		{"marker longer than limit", "hello", 2, "...", "he"},
		{"multibyte exact", "ééééé", 5, Ellipsis, "ééééé"},
		{"multibyte cut", "éééééé", 5, Ellipsis, "éééé…"},
		{"cjk cut", "日本語のテキスト", 4, "", "日本語の"},
		{"emoji cut", "😀😀😀😀", 3, Ellipsis, "😀😀…"},
		{"combining mark kept with base", "ab" + eAcute + "cd", 3, "", "ab"},
		{"combining mark fits", "ab" + eAcute + "cd", 4, "", "ab" + eAcute},
		{"combining marks only first cluster", eAcute + eAcute, 1, "", "e"},
		{"skin tone kept with emoji", "a" + thumbsTone + "b", 2, "", "a"},
		{"zwj sequence kept whole", "a" + family + "b", 4, "", "a"},
		{"zwj sequence fits", "a" + family + "b", 6, "", "a" + family},
		{"variation selector", "a" + heartVS + "b", 2, "", "a"},
		{"flag pair", flagFR + flagDE, 3, "", flagFR},
		{"flag pair exact", flagFR + flagDE + "x", 4, "", flagFR + flagDE},
		{"crlf kept together", "ab\r\ncd", 3, "", "ab"},
		{"invalid utf-8 fits", "a\xffb", 5, Ellipsis, "a\uFFFDb"},
		{"invalid utf-8 cut", "a\xff\xfebcdef", 3, Ellipsis, "a\uFFFD…"},
		{"invalid marker", "hello", 3, "\xff", "he\uFFFD"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := TruncateRunes(c.in, c.max, c.ellipsis)
			if got != c.want {
				t.Errorf("TruncateRunes(%q, %d, %q) = %q, want %q", c.in, c.max, c.ellipsis, got, c.want)
			}
			checkTruncated(t, c.in, got, c.max, c.ellipsis, utf8.RuneCountInString)
		})
	}
}

func TestTruncateBytes(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		max      int
		ellipsis string
		want     string
	}{
		{"ascii fits", "hello", 10, Ellipsis, "hello"},
		{"ascii exact", "hello", 5, Ellipsis, "hello"},
		{"ascii cut", "hello world", 6, Ellipsis, "hel…"},
		{"ascii cut no marker", "hello world", 5, "", "hello"},
		{"ascii cut dots", "hello world", 8, "...", "hello..."},
		{"limit 0", "hello", 0, Ellipsis, ""},
		{"limit 1 marker does not fit", "hello", 1, Ellipsis, "h"},
		{"limit 1 multibyte", "é", 1, "", ""},
		{"limit 3 marker only", "hello", 3, Ellipsis, "…"},
		{"multibyte exact", "éé", 4, Ellipsis, "éé"},
		{"multibyte mid-rune", "ééé", 5, "", "éé"},
		{"multibyte mid-rune marker", "éééé", 6, Ellipsis, "é…"},
		{"emoji mid-rune", "😀😀", 6, "", "😀"},
		{"emoji too big for limit", "😀", 3, "", ""},
		{"combining mark kept with base", "ab" + eAcute + "cd", 4, "", "ab"},
		{"combining mark fits", "ab" + eAcute + "cd", 5, "", "ab" + eAcute},
		{"skin tone kept with emoji", "a" + thumbsTone + "b", 6, "", "a"},
		{"zwj sequence kept whole", "a" + family + "b", 15, "", "a"},
		{"flag pair", flagFR + flagDE, 12, "", flagFR},
		{"invalid utf-8", "ab\xffcd", 4, "", "ab"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := TruncateBytes(c.in, c.max, c.ellipsis)
			if got != c.want {
				t.Errorf("TruncateBytes(%q, %d, %q) = %q, want %q", c.in, c.max, c.ellipsis, got, c.want)
			}
			checkTruncated(t, c.in, got, c.max, c.ellipsis, func(s string) int { return len(s) })
		})
	}
}

func TestSnippetEdges(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"  hello  ", 5, "hello"},
		{"hello world", 0, ""},
		{"hello world", 1, "…"},
		{"hello world", 7, "hello…"}, // the space at the cut is dropped
		{"\t\n", 3, ""},
		{"😀😀😀", 2, "😀…"},
		{"ab" + eAcute + "cd", 4, "ab…"},
		{"ab" + eAcute + "cd", 5, "ab" + eAcute + "…"},
		{"ab" + eAcute + "cd", 6, "ab" + eAcute + "cd"},
	}
	for _, c := range cases {
		if got := Snippet(c.in, c.max); got != c.want {
			t.Errorf("Snippet(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}

// checkTruncated checks the properties every truncation has: valid UTF-8,
// within the bound, unchanged when it fits, otherwise a prefix of the input
// followed by the marker when the marker fits.
func checkTruncated(t *testing.T, in, got string, limit int, ellipsis string, size func(string) int) {
	t.Helper()
	if !utf8.ValidString(got) {
		t.Fatalf("result %q is not valid UTF-8", got)
	}
	if size(got) > max(limit, 0) {
		t.Fatalf("result %q has size %d, over %d", got, size(got), limit)
	}
	valid := strings.ToValidUTF8(in, "\uFFFD")
	if size(valid) <= limit {
		if got != valid {
			t.Fatalf("input within bound was changed: %q -> %q", in, got)
		}
		return
	}
	head := got
	if e := strings.ToValidUTF8(ellipsis, "\uFFFD"); e != "" && size(e) <= limit {
		if !strings.HasSuffix(got, e) {
			t.Fatalf("cut result %q lacks %q", got, e)
		}
		head = strings.TrimSuffix(got, e)
	}
	if !strings.HasPrefix(valid, head) {
		t.Fatalf("result %q is not a prefix of %q", head, valid)
	}
}

func FuzzTruncate(f *testing.F) {
	for _, s := range []string{
		"", "hello world", "ééééé", "日本語のテキスト", "😀😀😀", "a" + eAcute + eAcute + "b",
		"a" + thumbsTone + family + flagFR + flagDE + heartVS, "ab\r\ncd", "a\xff\xfeb", strings.Repeat("\u0301", 40),
	} {
		for _, n := range []int{0, 1, 3, 4, 10} {
			f.Add(s, n, Ellipsis)
			f.Add(s, n, "")
		}
	}
	f.Add("hello world", 8, "...")
	f.Fuzz(func(t *testing.T, s string, limit int, ellipsis string) {
		checkTruncated(t, s, TruncateRunes(s, limit, ellipsis), limit, ellipsis, utf8.RuneCountInString)
		checkTruncated(t, s, TruncateBytes(s, limit, ellipsis), limit, ellipsis, func(s string) int { return len(s) })
		got := Snippet(s, limit)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > max(limit, 0) {
			t.Fatalf("Snippet(%q, %d) = %q: invalid or over the bound", s, limit, got)
		}
		if trimmed := strings.TrimSpace(s); utf8.RuneCountInString(trimmed) <= limit && got != strings.ToValidUTF8(trimmed, "\uFFFD") {
			t.Fatalf("Snippet(%q, %d) = %q: cut a text within the bound", s, limit, got)
		}
	})
}
