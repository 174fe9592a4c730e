// Package search turns text into the terms of the table's inverted index
// and a query into the terms to look up. It is pure: the index's items are
// the store's (shared/store/search.go), the indexing the use case's
// (shared/app/index), the ranking the API's.
//
// A term is lower-cased, folded (diacritics stripped: "Café" → "cafe"),
// split on anything that is not a letter or a digit, at least 2 runes and
// at most MaxTermLen, and not a stop-word. Email addresses and phone
// numbers are special terms that no word can equal ("ana@example.com",
// "@example.com", "tel:4567890").
package search

import (
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Field says where a term was found; it weighs in the ranking.
type Field string

const (
	FieldSubject Field = "s" // a ticket's subject
	FieldMessage Field = "m" // a message's text (customer's, reply or note)
	FieldName    Field = "n" // a contact's name
	FieldPrefix  Field = "p" // the start of a contact's name word (typing "mar" finds "Martina")
	FieldEmail   Field = "e" // a contact's email address or its domain
	FieldPhone   Field = "t" // a contact's phone number (last 7 digits, and all of them)
)

// Weight is a field's weight in the ranking: the subject says what a
// ticket is about; a contact's identity is a precise match.
func (f Field) Weight() int {
	switch f {
	case FieldSubject:
		return 3
	case FieldMessage:
		return 1
	case FieldPrefix:
		return 1
	default:
		return 4 // name, email, phone
	}
}

// Valid reports whether f is a known field.
func (f Field) Valid() bool {
	switch f {
	case FieldSubject, FieldMessage, FieldName, FieldPrefix, FieldEmail, FieldPhone:
		return true
	}
	return false
}

// Limits that bound the index's cost.
const (
	// MaxTermLen bounds a term (longer words are cut): keys stay small.
	MaxTermLen = 40
	// MaxTermsPerText is how many distinct terms one message or subject
	// adds: a 1,000-word mail is indexed by its first 200 distinct terms.
	MaxTermsPerText = 200
	// MaxTermsPerTicket bounds a ticket's record of what is indexed (4
	// bytes a term): past it, new words of a long conversation are not
	// indexed.
	MaxTermsPerTicket = 1500
	// MinPhoneDigits is the shortest number read as a phone number.
	MinPhoneDigits = 7
)

// Term is one term found in a field.
type Term struct {
	Text  string
	Field Field
}

// stop lists words too common to find anything with (English and French,
// the seeds' languages), folded like the terms.
var stop = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a an and are as at be but by for from has have i if in into is it its
		me my no not of on or our so that the their them then there these they this to was we were what
		when which who will with you your can do does did hi hello thanks thank please re fw fwd
		au aux avec ce ces dans de des du elle en et est il je la le les leur ma mais me mes mon ne nous
		on ou par pas pour qu que qui sa se ses son sur ta te tes ton tu un une vous votre vos bonjour merci`) {
		m[w] = true
	}
	return m
}()

// fold lower-cases s and strips its diacritics.
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return norm.NFC.String(b.String())
}

// Words returns the folded words of s in order, stop-words and one-rune
// words dropped, each cut to MaxTermLen runes.
func Words(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if r := []rune(w); len(r) > MaxTermLen {
			w = string(r[:MaxTermLen])
		}
		if len([]rune(w)) < 2 || stop[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// TextTerms returns the distinct terms of a text in field f, in order of
// first appearance, at most MaxTermsPerText.
func TextTerms(s string, f Field) []Term {
	seen := map[string]bool{}
	var out []Term
	for _, w := range Words(s) {
		if seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, Term{Text: w, Field: f})
		if len(out) == MaxTermsPerText {
			break
		}
	}
	return out
}

// EmailTerms returns the terms of an email address: the whole address and
// its domain ("@example.com"); nothing if it is not one.
func EmailTerms(addr string) []Term {
	addr = strings.ToLower(strings.TrimSpace(addr))
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || len(addr) > 254 || strings.ContainsAny(addr, " \t") {
		return nil
	}
	return []Term{{Text: addr, Field: FieldEmail}, {Text: addr[at:], Field: FieldEmail}}
}

// Digits returns the digits of a phone number as typed ("+44 20 7946
// 0958" → "442079460958"), or "" if it holds anything but digits and
// the usual separators, or fewer than MinPhoneDigits digits.
func Digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune("+-(). /", r):
		default:
			return ""
		}
	}
	if d := b.String(); len(d) >= MinPhoneDigits && len(d) <= 20 {
		return d
	}
	return ""
}

// PhoneTerms returns the terms of a phone number: its last 7 digits (so a
// national and an international form of one number meet) and all of them.
func PhoneTerms(phone string) []Term {
	d := Digits(phone)
	if d == "" {
		return nil
	}
	out := []Term{{Text: "tel:" + d[len(d)-MinPhoneDigits:], Field: FieldPhone}}
	if len(d) > MinPhoneDigits {
		out = append(out, Term{Text: "tel:" + d, Field: FieldPhone})
	}
	return out
}

// NameTerms returns the terms of a contact's name: each word, and each
// word's starts of 3 runes or more (a few items per contact, written only
// when the contact changes, so typing part of a name finds it).
func NameTerms(name string) []Term {
	var out []Term
	for _, w := range Words(name) {
		out = append(out, Term{Text: w, Field: FieldName})
		r := []rune(w)
		for n := 3; n < len(r) && n <= 8; n++ {
			out = append(out, Term{Text: string(r[:n]), Field: FieldPrefix})
		}
	}
	return out
}

// ContactTerms are the terms a contact is found by: name, email, phone
// (and a WhatsApp id, which is a phone number), distinct by text and field.
func ContactTerms(name, email, phone, waID string) []Term {
	all := NameTerms(name)
	all = append(all, EmailTerms(email)...)
	all = append(all, PhoneTerms(phone)...)
	all = append(all, PhoneTerms(waID)...)
	var out []Term
	for _, t := range all {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Query is a parsed search query.
type Query struct {
	// TicketID is set when the query is a ticket number ("1042", "#1042").
	TicketID string
	// Terms are the distinct terms to look up, at most MaxQueryTerms.
	Terms []string
}

// MaxQueryTerms bounds the lookups one search makes.
const MaxQueryTerms = 8

// ParseQuery reads a query the way text is indexed: a ticket number, an
// email address, a phone number, or words (an email or a phone number
// inside a longer query is recognised too).
func ParseQuery(q string) Query {
	var out Query
	q = strings.TrimSpace(q)
	if n := strings.TrimPrefix(q, "#"); n != "" && len(n) <= 20 && strings.Trim(n, "0123456789") == "" {
		out.TicketID = strings.TrimLeft(n, "0")
		if out.TicketID == "" {
			out.TicketID = "0"
		}
	}
	add := func(t string) {
		if len(out.Terms) < MaxQueryTerms && !slices.Contains(out.Terms, t) {
			out.Terms = append(out.Terms, t)
		}
	}
	if d := Digits(q); d != "" {
		for _, t := range PhoneTerms(d) {
			add(t.Text)
		}
		return out
	}
	for _, f := range strings.Fields(q) {
		if e := EmailTerms(strings.Trim(f, "<>,;\"'()")); e != nil {
			add(e[0].Text)
			continue
		}
		if strings.HasPrefix(f, "@") && len(f) > 2 {
			add(strings.ToLower(f))
			continue
		}
		for _, w := range Words(f) {
			add(w)
		}
	}
	return out
}
