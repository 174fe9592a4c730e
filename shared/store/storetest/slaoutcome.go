package storetest

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// testSLAOutcomes: the outcomes a change decides are committed with it,
// once each (a second write of the same target's outcome fails the whole
// change, as a lost race), listed by the period they were recorded in, and
// removed with their ticket (the purge) without touching another's.
func testSLAOutcomes(t *testing.T, f *fixture) {
	f.set = slaSettings()
	if err := f.st.CreateSettingsIfMissing(f.ctx, f.set); err != nil {
		t.Fatal(err)
	}
	f.open("1", "ann@example.com", T0)
	f.open("2", "bob@example.com", T0)
	reply := func(id string, at time.Time) ticket.Change {
		return f.change(id, func(t helpdesk.Ticket) (ticket.Change, error) {
			c, _, err := ticket.Reply(t, mailChannel, ticket.ReplyInput{AgentID: "bob", Text: "On it."}, at)
			return c, err
		})
	}
	c1 := reply("1", T0.Add(time.Minute))
	if len(c1.SLAOutcomes) != 1 {
		t.Fatalf("the reply decided %+v, want the first response's outcome", c1.SLAOutcomes)
	}
	reply("2", T0.Add(3*time.Minute))
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.CheckSLA(t, nil, f.set, T0.Add(25*time.Hour))
	})

	// The same outcome again, with another change: refused, nothing written.
	note, _, err := ticket.Note(f.header("1"), ticket.NoteInput{AgentID: "ann", Text: "again"}, nil, T0.Add(26*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	note.SLAOutcomes = c1.SLAOutcomes
	if err := f.st.Commit(f.ctx, note); !ticket.Lost(err) {
		t.Fatalf("an outcome recorded twice: %v, want a lost race", err)
	}

	all, err := f.st.SLAOutcomes(f.ctx, T0, T0.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range all {
		got = append(got, o.TicketID+" "+string(o.Kind)+" "+o.Outcome)
	}
	want := []string{"1 first_response met", "2 first_response met", "1 close breached"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("outcomes %q, want %q (by when recorded)", got, want)
	}
	o := all[0]
	if o.PolicyID != "standard" || o.ElapsedMs != time.Minute.Milliseconds() || o.BudgetMs != (120*time.Minute).Milliseconds() ||
		!o.StartedAt.Equal(T0) || !o.RecordedAt.Equal(T0.Add(time.Minute)) || o.ChannelKind != f.header("1").ChannelKind || o.OwnerID != "bob" {
		t.Fatalf("outcome read back %+v", o)
	}
	early, err := f.st.SLAOutcomes(f.ctx, T0, T0.Add(3*time.Minute))
	if err != nil || len(early) != 1 || early[0].TicketID != "1" {
		t.Fatalf("outcomes of [T0, T0+3m): %+v %v, want ticket 1's first response only", early, err)
	}

	if err := f.st.DeleteSLAOutcomes(f.ctx, "1"); err != nil {
		t.Fatal(err)
	}
	left, err := f.st.SLAOutcomes(f.ctx, T0, T0.Add(48*time.Hour))
	if err != nil || len(left) != 1 || left[0].TicketID != "2" {
		t.Fatalf("after ticket 1's purge: %+v %v, want ticket 2's outcome only", left, err)
	}
}
