package csat

import (
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var closedAt = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

func closed() helpdesk.Ticket {
	return helpdesk.Ticket{ID: "7", State: helpdesk.StateClosed, ClosedAt: closedAt, ContactID: "c1",
		OwnerID: "ann", TeamID: "A", ChannelID: "email:help@acme.example", ChannelKind: helpdesk.ChannelEmail}
}

func TestTokenRoundTripsAndRefusesTampering(t *testing.T) {
	secret := []byte("s3cret")
	tok, ok := For("acme", closed())
	if !ok || !tok.Expires.Equal(closedAt.Add(Window)) {
		t.Fatalf("For = %+v, %v", tok, ok)
	}
	s := Sign(secret, tok)
	got, err := Verify(secret, "acme", s)
	if err != nil || got != tok {
		t.Fatalf("Verify = %+v, %v; want %+v", got, err, tok)
	}
	other := Sign(secret, Token{Tenant: "acme", TicketID: "8", ContactID: "c1", Expires: tok.Expires})
	bad := map[string]string{
		"another tenant":    Sign(secret, Token{Tenant: "globex", TicketID: "7", ContactID: "c1", Expires: tok.Expires}),
		"another secret":    Sign([]byte("other"), tok),
		"swapped signature": strings.Split(s, ".")[0] + "." + strings.Split(other, ".")[1],
		"flipped byte":      s[:3] + string(s[3]^1) + s[4:],
		"no signature":      strings.Split(s, ".")[0],
		"empty":             "",
	}
	for name, b := range bad {
		if _, err := Verify(secret, "acme", b); !helpdesk.IsCode(err, helpdesk.EUnauthorised) {
			t.Errorf("%s: Verify = %v, want unauthorised", name, err)
		}
	}
}

func TestSpamAndOpenTicketsAreNotSurveyed(t *testing.T) {
	for _, st := range []helpdesk.State{helpdesk.StateOpen, helpdesk.StateSpam, helpdesk.StateMerged} {
		tk := closed()
		tk.State = st
		if _, ok := For("acme", tk); ok {
			t.Errorf("a %s ticket is surveyed", st)
		}
	}
}

func TestDecide(t *testing.T) {
	now := closedAt.Add(time.Hour)
	r, err := Decide(closed(), "c1", 4, "  Quick, thanks  ", now)
	want := helpdesk.Rating{TicketID: "7", ContactID: "c1", Score: 4, Comment: "Quick, thanks", RatedAt: now, ClosedAt: closedAt,
		OwnerID: "ann", TeamID: "A", ChannelID: "email:help@acme.example", ChannelKind: helpdesk.ChannelEmail}
	if err != nil || r != want {
		t.Fatalf("Decide = %+v, %v; want %+v", r, err, want)
	}
	open, spam := closed(), closed()
	open.State, spam.State = helpdesk.StateOpen, helpdesk.StateSpam
	cases := []struct {
		name    string
		t       helpdesk.Ticket
		contact string
		score   int
		comment string
		now     time.Time
		reason  string
	}{
		{"score 0", closed(), "c1", 0, "", now, "invalid_score"},
		{"score 6", closed(), "c1", 6, "", now, "invalid_score"},
		{"comment too long", closed(), "c1", 5, strings.Repeat("é", MaxComment+1), now, "invalid_comment"},
		{"open", open, "c1", 5, "", now, "ticket_open"},
		{"spam", spam, "c1", 5, "", now, "not_found"},
		{"another contact", closed(), "c2", 5, "", now, "not_found"},
		{"on the 28th day's end", closed(), "c1", 5, "", closedAt.Add(Window), "rating_expired"},
	}
	for _, c := range cases {
		if _, err := Decide(c.t, c.contact, c.score, c.comment, c.now); helpdesk.ErrorReason(err) != c.reason {
			t.Errorf("%s: Decide = %v, want %s", c.name, err, c.reason)
		}
	}
	if _, err := Decide(closed(), "c1", 5, strings.Repeat("é", MaxComment), closedAt.Add(Window-time.Second)); err != nil {
		t.Errorf("the last second of the window, the longest comment: %v", err)
	}
}

// MayRate is Decide's rule for the ticket, whatever the score: what the
// portal's page offers is what a rating then gets.
func TestMayRate(t *testing.T) {
	open, spam, merged, anon := closed(), closed(), closed(), closed()
	open.State, spam.State, merged.State = helpdesk.StateOpen, helpdesk.StateSpam, helpdesk.StateMerged
	anon.ClosedAt = time.Time{}
	now := closedAt.Add(time.Hour)
	for _, c := range []struct {
		name    string
		t       helpdesk.Ticket
		contact string
		now     time.Time
		reason  string
	}{
		{"theirs, closed an hour ago", closed(), "c1", now, ""},
		{"the window's last second", closed(), "c1", closedAt.Add(Window - time.Second), ""},
		{"on the 28th day's end", closed(), "c1", closedAt.Add(Window), "rating_expired"},
		{"open", open, "c1", now, "ticket_open"},
		{"closed, no close time", anon, "c1", now, "ticket_open"},
		{"spam", spam, "c1", now, "not_found"},
		{"merged away", merged, "c1", now, "not_found"},
		{"another contact", closed(), "c2", now, "not_found"},
		{"no contact", closed(), "", now, "not_found"},
	} {
		err := MayRate(c.t, c.contact, c.now)
		if helpdesk.ErrorReason(err) != c.reason {
			t.Errorf("%s: MayRate = %v, want %q", c.name, err, c.reason)
		}
		if _, derr := Decide(c.t, c.contact, 3, "ok", c.now); helpdesk.ErrorReason(derr) != helpdesk.ErrorReason(err) {
			t.Errorf("%s: Decide = %v, MayRate = %v", c.name, derr, err)
		}
	}
}

func TestReportSharesPerGroup(t *testing.T) {
	rs := []helpdesk.Rating{
		{OwnerID: "ann", TeamID: "A", ChannelID: "mail", Score: 5},
		{OwnerID: "ann", TeamID: "A", ChannelID: "wa", Score: 5},
		{OwnerID: "ann", TeamID: "A", ChannelID: "wa", Score: 1},
		{OwnerID: "bob", ChannelID: "mail", Score: 3},
	}
	rep := Report(closedAt, closedAt.Add(Window), ByAgent, rs)
	if rep.Responses != 4 || len(rep.Groups) != 2 {
		t.Fatalf("report = %+v", rep)
	}
	ann := rep.Groups[0]
	if ann.Key != "ann" || ann.Responses != 3 || ann.Counts != [5]int{1, 0, 0, 0, 2} || ann.Shares[4] != 2.0/3 || ann.Shares[0] != 1.0/3 {
		t.Errorf("ann = %+v", ann)
	}
	if team := Report(closedAt, closedAt, ByTeam, rs); team.Groups[0].Key != "" || team.Groups[1].Key != "A" {
		t.Errorf("by team = %+v (unassigned first, as \"\")", team.Groups)
	}
	if ch := Report(closedAt, closedAt, ByChannel, rs); len(ch.Groups) != 2 || ch.Groups[0].Key != "mail" || ch.Groups[0].Counts != [5]int{0, 0, 1, 0, 1} {
		t.Errorf("by channel = %+v", ch.Groups)
	}
}
