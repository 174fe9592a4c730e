package ticket_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// The people of these cases: ann owns ticket 7 (team "a"); tom is in team
// a (teams scope); ola sees only her own tickets; max sees all but is
// deactivated; eve sees all and wants every email.
var (
	tom = helpdesk.Principal{Agent: helpdesk.Agent{ID: "tom", Email: "tom@acme.example", Active: true,
		Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeTeams}}, Teams: []string{"a"}}
	ola = helpdesk.Principal{Agent: helpdesk.Agent{ID: "ola", Email: "ola@acme.example", Active: true,
		Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeOwn}}}
	max = helpdesk.Principal{Agent: helpdesk.Agent{ID: "max", Role: helpdesk.RoleAdmin}}
	eve = helpdesk.Principal{Agent: helpdesk.Agent{ID: "eve", Email: "eve@acme.example", Active: true, Role: helpdesk.RoleAdmin,
		Notify: helpdesk.NotifyPrefs{EmailOnMention: true, EmailOnCustomerMessage: true, EmailOnNote: true, EmailOnStatus: true}}}
	everyone = ticket.Audience{"ann": {Agent: ann}, "tom": tom, "ola": ola, "max": max, "eve": eve}
)

// teamTicket is ticket 7 owned by ann in team a, followed by followers.
func teamTicket(t *testing.T, followers ...string) helpdesk.Ticket {
	tk := owned(t)
	tk.TeamID, tk.Followers = "a", followers
	return tk
}

// told lists a change's notifications as "recipient kind" and its email
// jobs as "email to kind", sorted.
func told(t *testing.T, c ticket.Change) []string {
	t.Helper()
	var out []string
	for _, n := range c.Notifications {
		out = append(out, strings.TrimPrefix(n.Recipient, "agent:")+" "+string(n.Kind))
	}
	for _, body := range c.Jobs {
		var n jobs.NotificationEmail
		if env, err := jobs.DecodeEnvelope(body); err == nil && env.Kind == jobs.KindNotificationEmail && json.Unmarshal(env.Payload, &n) == nil {
			out = append(out, "email "+n.ToAgentID+" "+string(n.Kind))
		}
	}
	slices.Sort(out)
	return out
}

func TestFollowAndUnfollow(t *testing.T) {
	tk := teamTicket(t)
	c, err := ticket.Follow(tk, tom, t0)
	if err != nil || !slices.Equal(c.Ticket().Followers, []string{"tom"}) || c.Ticket().Version != tk.Version+1 || len(tk.Followers) != 0 {
		t.Fatalf("tom follows: %+v, %v (read ticket's followers %v)", c.Ticket(), err, tk.Followers)
	}
	if len(c.Activities) != 0 || len(c.Notifications) != 0 {
		t.Errorf("following is not part of the ticket's story: %+v", c)
	}
	for _, x := range []struct {
		who  helpdesk.Principal
		want string
	}{{ola, "follower_cannot_see"}, {max, "inactive_user"}} {
		if _, err := ticket.Follow(tk, x.who, t0); helpdesk.ErrorReason(err) != x.want {
			t.Errorf("%s follows: %v, want %s", x.who.Agent.ID, err, x.want)
		}
	}
	if _, err := ticket.Follow(*c.Ticket(), tom, t0); !errors.Is(err, ticket.ErrNoChange) {
		t.Errorf("following twice: %v", err)
	}
	full := tk
	for i := range ticket.MaxFollowers {
		full.Followers = append(full.Followers, fmt.Sprint("f", i))
	}
	if _, err := ticket.Follow(full, tom, t0); helpdesk.ErrorReason(err) != "too_many_followers" || !helpdesk.IsCode(err, helpdesk.EConflict) {
		t.Errorf("the 26th follower: %v", err)
	}
	u, err := ticket.Unfollow(*c.Ticket(), "tom", t0)
	if err != nil || len(u.Ticket().Followers) != 0 {
		t.Fatalf("unfollow: %+v, %v", u.Ticket(), err)
	}
	if _, err := ticket.Unfollow(tk, "tom", t0); !errors.Is(err, ticket.ErrNoChange) {
		t.Errorf("unfollowing a ticket not followed: %v", err)
	}
	merged := tk
	merged.State = helpdesk.StateMerged
	if _, err := ticket.Follow(merged, tom, t0); helpdesk.ErrorReason(err) != "ticket_merged" {
		t.Errorf("following a merged ticket: %v", err)
	}
}

// A note's mentions are checked against what each mentioned person can
// see; the mentioned are told once, the watchers of the note, the author
// of nothing; the author follows from then on.
func TestNoteMentions(t *testing.T) {
	tk := teamTicket(t, "eve")
	for _, x := range []struct {
		mentions    []string
		want, names string
	}{
		{[]string{"ola"}, "mention_cannot_see", "ola"},
		{[]string{"tom", "max"}, "mention_inactive", "max"},
		{[]string{"zed"}, "mention_unknown", "zed"},
		{[]string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}, "too_many_mentions", ""},
	} {
		_, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "tom", Text: "look", Mentions: x.mentions}, everyone, t0)
		if helpdesk.ErrorReason(err) != x.want || !strings.Contains(helpdesk.ErrorMessage(err), x.names) {
			t.Errorf("mentioning %v: %v, want %s naming %q", x.mentions, err, x.want, x.names)
		}
	}
	// tom mentions eve (a follower: told once, as mentioned) and himself.
	c, m, err := ticket.Note(tk, ticket.NoteInput{AgentID: "tom", Text: "look", Mentions: []string{"eve", "tom", "eve"}}, everyone, t0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ann note", "email eve mentioned", "eve mentioned"}
	if got := told(t, c); !slices.Equal(got, want) {
		t.Errorf("told %v, want %v", got, want)
	}
	for _, n := range c.Notifications {
		if n.ActorID != "tom" || n.MessageID != m.ID || n.TicketID != "7" {
			t.Errorf("notification %+v: want actor tom, the note, ticket 7", n)
		}
	}
	if got := c.Ticket().Followers; !slices.Equal(got, []string{"eve", "tom"}) {
		t.Errorf("followers after tom's note = %v, want eve and tom", got)
	}
	// The owner writing a note does not follow their own ticket; with no
	// audience read, nobody is told.
	c, _, _ = ticket.Note(tk, ticket.NoteInput{AgentID: "ann", Text: "mine"}, nil, t0)
	if len(c.Notifications) != 0 || !slices.Equal(c.Ticket().Followers, []string{"eve"}) {
		t.Errorf("ann's note: %+v", c)
	}
}

// Customer messages and status changes tell the owner and followers who
// can see the ticket as the change leaves it, as each prefers, never the
// actor; a change tells each person once.
func TestWatchersAreTold(t *testing.T) {
	tk := teamTicket(t, "tom", "ola", "max", "eve", "gone")
	msg := helpdesk.Message{ID: "m2", Direction: helpdesk.Inbound, AuthorContactID: "c1", Text: "hi", CreatedAt: t0.Add(time.Hour)}
	c, err := ticket.Append(tk, msg, "email#cus@example.com", nil, everyone, pipes, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	// ola cannot see it, max is deactivated (cannot see anything), gone is unknown.
	want := []string{"ann customer_message", "email eve customer_message", "eve customer_message", "tom customer_message"}
	if got := told(t, c); !slices.Equal(got, want) {
		t.Errorf("customer message told %v, want %v", got, want)
	}
	if c.Notifications[0].ActorID != "contact:c1" || c.Notifications[0].MessageID != "m2" {
		t.Errorf("notification %+v", c.Notifications[0])
	}
	// tom closes it: not told himself.
	c, _ = ticket.SetStatus(tk, "closed", "tom", everyone, pipes, t0)
	if got, want := told(t, c), []string{"ann status", "email eve status", "eve status"}; !slices.Equal(got, want) {
		t.Errorf("status told %v, want %v", got, want)
	}
	// ann hands it to tom and moves it to team b while closing it: tom is
	// told he owns it (once), eve of the status; tom's team is not b, but
	// he owns it now.
	owner, team, status := "tom", "b", "closed"
	tomAgent := tom.Agent
	tomAgent.Seat = true
	aud := ticket.Audience{"ann": {Agent: ann}, "tom": {Agent: tomAgent, Teams: []string{"a"}}, "eve": eve}
	c, err = ticket.Apply(tk, 0, ticket.Edit{Owner: &owner, Team: &team, Status: &status}, &tomAgent, "ann", aud, pipes, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := told(t, c), []string{"email eve status", "eve status", "tom assigned"}; !slices.Equal(got, want) {
		t.Errorf("edit told %v, want %v", got, want)
	}
	// An agent who muted a kind in the app still gets the email they asked for.
	muted := eve
	muted.Agent.Notify.MutedInApp = []helpdesk.NotificationKind{helpdesk.NotifyStatus}
	c, _ = ticket.SetStatus(tk, "closed", "tom", ticket.Audience{"eve": muted}, pipes, t0)
	if got := told(t, c); !slices.Equal(got, []string{"email eve status"}) {
		t.Errorf("muted in the app: %v", got)
	}
}

// The most a change can tell fits one transaction: the owner, 25
// followers and 10 mentions, with a note's other items.
func TestFanOutIsBounded(t *testing.T) {
	tk := teamTicket(t)
	aud := ticket.Audience{"ann": {Agent: ann}}
	var mentions []string
	for i := range ticket.MaxFollowers + ticket.MaxMentions {
		p := eve
		p.Agent.ID = fmt.Sprint("p", i)
		aud[p.Agent.ID] = p
		if i < ticket.MaxFollowers {
			tk.Followers = append(tk.Followers, p.Agent.ID)
		} else {
			mentions = append(mentions, p.Agent.ID)
		}
	}
	c, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "ann", Text: "all hands", Mentions: mentions}, aud, t0)
	if err != nil {
		t.Fatal(err)
	}
	items := len(c.Tickets) + len(c.Messages) + len(c.Activities) + len(c.Notifications) + len(c.ThreadKeys) + len(c.LoadItems())
	if len(c.Notifications) != 1+ticket.MaxFollowers+ticket.MaxMentions-1 || items > 100 {
		t.Fatalf("%d notifications, %d items", len(c.Notifications), items)
	}
}

func TestMentionsIn(t *testing.T) {
	for text, want := range map[string][]string{
		"@bob please":                      {"bob"},
		"cc @ann, @bob. and @ann again":    {"ann", "bob"},
		"mail ops@acme.example or @x_y-z.": {"x_y-z"},
		"(@tom) @ @@eve":                   {"tom"},
		"nobody here":                      nil,
		"@ünï.code":                        {"ünï.code"},
	} {
		if got := ticket.MentionsIn(text); !slices.Equal(got, want) {
			t.Errorf("MentionsIn(%q) = %v, want %v", text, got, want)
		}
	}
	if got := ticket.MentionsIn(strings.Repeat("@a ", 100) + strings.Repeat("@b", 1)); len(got) != 2 {
		t.Errorf("repeated names: %v", got)
	}
	var many strings.Builder
	for i := range 100 {
		fmt.Fprintf(&many, "@n%d ", i)
	}
	if got := ticket.MentionsIn(many.String()); len(got) != 4*ticket.MaxMentions {
		t.Errorf("%d names from 100, want the bound %d", len(got), 4*ticket.MaxMentions)
	}
}
