package ticket

// Telling people about a ticket: the in-app notification and, per each
// agent's preference, the email job committed with it. Routing a new ticket
// and assigning one by hand both use it, so an agent is told the same way
// however the ticket reached them.

import (
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// tellOwner tells owner that ticket t is theirs.
func (c *Change) tellOwner(t *helpdesk.Ticket, owner helpdesk.Agent, now time.Time) {
	c.tell(t, owner, helpdesk.NotifyAssigned, "", "", now)
}

// tellTeam tells team of a new unassigned ticket; members are the team's
// agents, emailed per their preference.
func (c *Change) tellTeam(t *helpdesk.Ticket, team string, members map[string]helpdesk.Agent, now time.Time) {
	c.tellTeamOf(t, team, members, helpdesk.NotifyTeamUnassigned, "",
		fmt.Sprintf("[#%s] new unassigned ticket for your team: %s", t.ID, t.Subject), now)
}

// tellTeamOf tells team of kind on t in the team's feed, and emails each of
// members who asked for that kind by email.
func (c *Change) tellTeamOf(t *helpdesk.Ticket, team string, members map[string]helpdesk.Agent, kind helpdesk.NotificationKind, actor, subject string, now time.Time) {
	n := helpdesk.Notification{ID: helpdesk.NewID(), Recipient: helpdesk.TeamRecipient(team), Kind: kind, TicketID: t.ID,
		Subject: t.Subject, At: now, ActorID: actor}
	c.Notifications = append(c.Notifications, n)
	for _, a := range members {
		if a.Notify.Email(kind) && a.Email != "" && a.Active {
			c.email(n, a, subject)
		}
	}
}

// email commits the job that emails agent a about notification n; the job
// carries the notification id so the sender can send it once.
func (c *Change) email(n helpdesk.Notification, a helpdesk.Agent, subject string) {
	c.job(n.ID+"#"+a.ID, jobs.KindNotificationEmail, jobs.NotificationEmail{
		NotificationID: n.ID, TicketID: n.TicketID, Kind: n.Kind,
		ToAgentID: a.ID, ToEmail: a.Email, ToName: a.Name, Subject: subject,
		Recipient: n.Recipient, At: n.At,
	})
}

// job commits a queue job with the change. Job payloads are plain structs,
// so encoding cannot fail; if it ever did, the panic is a programming error
// caught by every test that makes that job.
func (c *Change) job(id, kind string, payload any) {
	body, err := jobs.Encode(kind, payload)
	if err != nil {
		panic(fmt.Sprintf("encode %s job: %v", kind, err))
	}
	if c.Jobs == nil {
		c.Jobs = map[string]string{}
	}
	c.Jobs[id] = string(body)
}
