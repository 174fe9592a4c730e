package replytoken

import (
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestAddressFormat(t *testing.T) {
	got, err := Address(secret, "Support@Acme.example", "1042")
	if err != nil {
		t.Fatal(err)
	}
	local, domain, _ := strings.Cut(got, "@")
	if domain != "acme.example" {
		t.Errorf("domain = %q", domain)
	}
	prefix := "support+t1042."
	if !strings.HasPrefix(local, prefix) || len(local) != len(prefix)+sigLen {
		t.Fatalf("local part = %q, want %s<16 chars>", local, prefix)
	}
	for _, c := range local[len(prefix):] {
		if !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			t.Fatalf("sig %q has %q outside lower-case base32", local[len(prefix):], c)
		}
	}
	again, _ := Address(secret, "support@acme.example", "1042")
	if again != got {
		t.Errorf("not deterministic: %q vs %q", got, again)
	}
}

func TestAddressErrors(t *testing.T) {
	long := strings.Repeat("a", 45) // 45 + len("+t1042.") + 16 > 64
	tests := []struct {
		name, team, id, reason string
		secret                 []byte
	}{
		{"short secret", "support@acme.example", "1042", "reply_secret_too_short", []byte("short")},
		{"empty ticket id", "support@acme.example", "", "ticket_id_invalid", secret},
		{"upper-case ticket id", "support@acme.example", "T1", "ticket_id_invalid", secret},
		{"dot in ticket id", "support@acme.example", "1.2", "ticket_id_invalid", secret},
		{"no team address", "", "1042", "team_address_invalid", secret},
		{"display name", "Acme <support@acme.example>", "1042", "team_address_invalid", secret},
		{"already labelled", "support+x@acme.example", "1042", "team_address_invalid", secret},
		{"two ats", "a@b@acme.example", "1042", "team_address_invalid", secret},
		{"no domain", "support@", "1042", "team_address_invalid", secret},
		{"local part over 64", long + "@acme.example", "1042", "reply_address_too_long", secret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Address(tt.secret, tt.team, tt.id)
			if err == nil {
				t.Fatalf("Address = %q, want error", got)
			}
			if !helpdesk.IsCode(err, helpdesk.EInvalid) || helpdesk.ErrorReason(err) != tt.reason {
				t.Errorf("err = %v, want invalid (%s)", err, tt.reason)
			}
		})
	}
}

func TestParse(t *testing.T) {
	addr, err := Address(secret, "support@acme.example", "1042")
	if err != nil {
		t.Fatal(err)
	}
	local, _, _ := strings.Cut(addr, "@")
	sig := local[strings.LastIndexByte(local, '.')+1:]
	flip := func(s string, i int) string { // change one character of s, staying in the alphabet
		b := []byte(s)
		if b[i] == 'a' {
			b[i] = 'b'
		} else {
			b[i] = 'a'
		}
		return string(b)
	}
	other, _ := Address(secret, "support@other.example", "1042")
	otherLocal, _, _ := strings.Cut(other, "@")

	tests := []struct {
		name    string
		secret  []byte
		address string
		wantOK  bool
	}{
		{"round trip", secret, addr, true},
		{"upper-cased by a mail server", secret, strings.ToUpper(addr), true},
		{"angle brackets and spaces", secret, "  <" + addr + ">\t", true},
		{"wrong secret", []byte("fedcba9876543210fedcba9876543210"), addr, false},
		{"short secret", []byte("x"), addr, false},
		{"tampered ticket id", secret, strings.Replace(addr, "t1042.", "t1043.", 1), false},
		{"ticket id prefix dropped", secret, strings.Replace(addr, "t1042.", "t104.", 1), false},
		{"tampered sig first char", secret, strings.Replace(addr, sig, flip(sig, 0), 1), false},
		{"tampered sig last char", secret, strings.Replace(addr, sig, flip(sig, sigLen-1), 1), false},
		{"truncated sig", secret, strings.Replace(addr, sig, sig[:sigLen-1], 1), false},
		{"extended sig", secret, strings.Replace(addr, sig, sig+"a", 1), false},
		{"token on another domain", secret, strings.Replace(addr, "acme.example", "other.example", 1), false},
		{"token of another domain here", secret, otherLocal + "@acme.example", false},
		{"token on another mailbox", secret, strings.Replace(addr, "support+", "sales+", 1), false},
		{"no plus part", secret, "support@acme.example", false},
		{"empty plus part", secret, "support+@acme.example", false},
		{"unsigned token", secret, "support+t1042@acme.example", false},
		{"plus without mailbox", secret, local[len("support"):] + "@acme.example", false},
		{"no t prefix", secret, strings.Replace(addr, "+t1042.", "+1042.", 1), false},
		{"empty ticket id", secret, strings.Replace(addr, "+t1042.", "+t.", 1), false},
		{"no domain", secret, local + "@", false},
		{"no at", secret, local, false},
		{"two ats", secret, "x@" + addr, false},
		{"display name form", secret, "Acme <" + addr + ">", false},
		{"empty", secret, "", false},
		{"garbage", secret, "\x00\xff+t.@@", false},
		{"non-ASCII", secret, strings.Replace(addr, "support", "süpport", 1), false},
		{"very long input", secret, strings.Repeat("a", 1<<20) + addr, false},
		{"very long local part", secret, strings.Repeat("a", 70) + "+t1042." + sig + "@acme.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, team, ok := Parse(tt.secret, tt.address)
			if ok != tt.wantOK {
				t.Fatalf("Parse(%.80q) ok = %v, want %v", tt.address, ok, tt.wantOK)
			}
			if !ok {
				if id != "" || team != "" {
					t.Errorf("not ok but returned %q, %q", id, team)
				}
				return
			}
			if id != "1042" || team != "support@acme.example" {
				t.Errorf("Parse = %q, %q; want 1042, support@acme.example", id, team)
			}
		})
	}
}

func TestRoundTripIDs(t *testing.T) {
	for _, id := range []string{"1", "1042", "9999999999", "abc-def_1"} {
		addr, err := Address(secret, "help.desk@mail.acme.example", id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		got, team, ok := Parse(secret, addr)
		if !ok || got != id || team != "help.desk@mail.acme.example" {
			t.Errorf("Parse(%q) = %q, %q, %v", addr, got, team, ok)
		}
	}
}

func FuzzParse(f *testing.F) {
	addr, _ := Address(secret, "support@acme.example", "1042")
	for _, s := range []string{
		addr, strings.ToUpper(addr), "<" + addr + ">", "support@acme.example",
		"support+@acme.example", "support+t.@acme.example", "+t1.aaaaaaaaaaaaaaaa@x",
		"a+t1.aaaaaaaaaaaaaaaa@", "@", "", "\x00", "a+b+c@d@e", strings.Repeat("+", 300),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, team, ok := Parse(secret, s)
		if !ok {
			return
		}
		// Anything that verifies must be exactly what Address would issue.
		again, err := Address(secret, team, id)
		if err != nil {
			t.Fatalf("Parse(%q) ok but Address(%q, %q): %v", s, team, id, err)
		}
		trimmed := strings.TrimSuffix(strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "<"), ">")
		if again != trimmed {
			t.Fatalf("Parse(%q) ok but Address gives %q", s, again)
		}
	})
}

func BenchmarkParse(b *testing.B) {
	addr, _ := Address(secret, "support@acme.example", "1042")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := Parse(secret, addr); !ok {
			b.Fatal("not ok")
		}
	}
}
