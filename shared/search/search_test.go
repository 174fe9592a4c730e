package search

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestWordsFoldSplitAndDrop(t *testing.T) {
	got := Words("Le café de Zoë: l'IMPRIMANTE (HP-4410) ne marche pas! a b 42 " + strings.Repeat("x", 50))
	want := []string{"cafe", "zoe", "imprimante", "hp", "4410", "marche", "42", strings.Repeat("x", MaxTermLen)}
	if !slices.Equal(got, want) {
		t.Fatalf("Words = %q, want %q", got, want)
	}
}

func TestTextTermsAreDistinctAndCapped(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 500; i++ {
		b.WriteString("word" + strconv.Itoa(i/2) + " again ")
	}
	terms := TextTerms(b.String(), FieldMessage)
	if len(terms) != MaxTermsPerText || terms[0].Text != "word0" || terms[1].Text != "again" {
		t.Fatalf("%d terms, first %v", len(terms), terms[:2])
	}
}

func TestContactTerms(t *testing.T) {
	got := ContactTerms("Martina Ló", "Martina@Example.COM", "+44 (20) 7946-0958", "447700900123")
	want := []Term{
		{"martina", FieldName}, {"mar", FieldPrefix}, {"mart", FieldPrefix}, {"marti", FieldPrefix}, {"martin", FieldPrefix},
		{"lo", FieldName},
		{"martina@example.com", FieldEmail}, {"@example.com", FieldEmail},
		{"tel:9460958", FieldPhone}, {"tel:442079460958", FieldPhone},
		{"tel:0900123", FieldPhone}, {"tel:447700900123", FieldPhone},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("ContactTerms =\n%v\nwant\n%v", got, want)
	}
	if EmailTerms("not an email") != nil || EmailTerms("a@") != nil || PhoneTerms("12345") != nil || PhoneTerms("call 0800") != nil {
		t.Fatal("a non-address or non-number made terms")
	}
}

func TestParseQuery(t *testing.T) {
	for _, c := range []struct {
		q      string
		ticket string
		terms  []string
	}{
		{"#1042", "1042", []string{"1042"}}, // also a number quoted in text
		{"1042", "1042", []string{"1042"}},
		{"020 7946 0958", "", []string{"tel:9460958", "tel:02079460958"}},
		{"4420794609581", "4420794609581", []string{"tel:4609581", "tel:4420794609581"}},
		{"Invoice from <Ana@Example.com>", "", []string{"invoice", "ana@example.com"}},
		{"@example.com late", "", []string{"@example.com", "late"}},
		{"the and of", "", nil},
		{"a b c d e f g h i j k l m n o p q r s t u v w x y z aa bb cc dd ee ff gg hh ii", "", []string{"aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh"}},
	} {
		got := ParseQuery(c.q)
		if got.TicketID != c.ticket || !slices.Equal(got.Terms, c.terms) {
			t.Errorf("ParseQuery(%q) = %+v, want ticket %q terms %q", c.q, got, c.ticket, c.terms)
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"#12", "ana@example.com", "+44 20", "Café"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := ParseQuery(q)
		if len(got.Terms) > MaxQueryTerms {
			t.Fatalf("%d terms", len(got.Terms))
		}
		for _, term := range got.Terms {
			if term == "" || len(term) > 4*MaxTermLen+260 {
				t.Fatalf("term %q", term)
			}
		}
	})
}
