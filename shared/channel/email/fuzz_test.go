package email

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
)

var updateSeeds = flag.Bool("update-seeds", false, "rewrite testdata/fuzz/{FuzzParse,FuzzStripQuoted} seeds from the fixtures")

// fuzzOpts use small limits so the attachment paths are reached often.
var fuzzOpts = Options{Tenant: "acme", UseOriginalSender: true, MaxAttachments: 3, MaxAttachmentBytes: 1 << 10}

// FuzzParse: no input panics, and every result holds the invariants of
// checkInvariants. Seeds: testdata/fuzz/FuzzParse (the fixtures and crashers).
func FuzzParse(f *testing.F) {
	f.Add([]byte("From: a@b.example\r\n\r\nhi"))
	f.Add([]byte("Content-Type: multipart/mixed\r\nFrom: a@b.example\r\n\r\n--x\r\n\r\n--x--"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		// A small input that runs for long is a denial of service (enmime is
		// exponential in unterminated nesting, see maxNesting). The fuzzer
		// has no per-input timeout and a hung input never returns to be
		// checked, so a watchdog crashes the process, which makes the fuzzer
		// save the input as a failure. It allows hangGuard (a minute), not
		// seconds: the inputs it is for run for ages, while a legitimate one
		// on a busy -race runner can take many times a laptop's time.
		if len(raw) <= 64<<10 {
			guard := hangGuard(t)
			watchdog := time.AfterFunc(guard, func() {
				panic(fmt.Sprintf("FuzzParse: %d-byte input still running after %v: a denial of service", len(raw), guard))
			})
			defer watchdog.Stop()
		}
		p, err := Parse(raw, fuzzOpts)
		checkInvariants(t, p, err)
		// mimeDepth must never count shallower than enmime nests, or the
		// guard against enmime's exponential time has a hole.
		if d := scanDepth(raw); d <= maxNesting {
			if root, err := mimeParser.ReadParts(bytes.NewReader(raw)); err == nil {
				if tree := treeDepth(root); tree > d {
					t.Errorf("scanDepth = %d, enmime nests %d levels", d, tree)
				}
			}
		}
	})
}

// treeDepth is how deep multipart containers nest in a part tree.
func treeDepth(p *enmime.Part) int {
	if p == nil || p.FirstChild == nil {
		return 0
	}
	d := 0
	for c := p.FirstChild; c != nil; c = c.NextSibling {
		d = max(d, treeDepth(c))
	}
	return d + 1
}

// FuzzStripQuoted: no input panics, the result never grows, and valid UTF-8
// stays valid.
func FuzzStripQuoted(f *testing.F) {
	f.Add("Thanks\n\nOn Mon, 4 Mar 2024, A <a@b.example> wrote:\n> x")
	f.Fuzz(func(t *testing.T, text string) {
		got := StripQuoted(text)
		if len(got) > len(text) {
			t.Errorf("StripQuoted grew the text: %d -> %d bytes", len(text), len(got))
		}
		if utf8.ValidString(text) && !utf8.ValidString(got) {
			t.Errorf("StripQuoted broke UTF-8: %q", got)
		}
	})
}

// TestWriteFuzzSeeds regenerates the committed seed corpus from the
// fixtures: go test -run TestWriteFuzzSeeds -update-seeds.
func TestWriteFuzzSeeds(t *testing.T) {
	if !*updateSeeds {
		t.Skip("run with -update-seeds to rewrite the seed corpus")
	}
	for _, path := range fixtures(t) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(path), ".eml")
		writeSeed(t, "FuzzParse", name, "[]byte("+strconv.Quote(string(raw))+")")
		if p, err := Parse(raw, defaultOpts); err == nil && p.FullText != "" {
			writeSeed(t, "FuzzStripQuoted", name, "string("+strconv.Quote(p.FullText)+")")
		}
	}
}

func writeSeed(t *testing.T, target, name, value string) {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "fixture-"+name)
	if err := os.WriteFile(file, []byte("go test fuzz v1\n"+value+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
