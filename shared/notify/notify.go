// Package notify builds what telling people about a ticket writes: the
// in-app notification and, per each agent's preference, the email job
// committed with it in the ticket's outbox. The router (new tickets) and
// manual assignment (tickets) both use it, so an agent is told the same
// way however the ticket reached them.
package notify

import (
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// Records are the notifications and the outbox jobs that email them.
type Records struct {
	Notifications []helpdesk.Notification
	Outbox        map[string]string
}

// Assigned tells owner that ticket t is theirs.
func Assigned(t *helpdesk.Ticket, owner helpdesk.Agent, now time.Time) Records {
	n := notification(t, helpdesk.AgentRecipient(owner.ID), helpdesk.NotifyAssigned, now)
	r := Records{Notifications: []helpdesk.Notification{n}}
	if owner.Notify.EmailOnAssignment && owner.Email != "" {
		r.email(n, owner, fmt.Sprintf("[#%s] assigned to you: %s", t.ID, t.Subject))
	}
	return r
}

// TeamUnassigned tells team of a new unassigned ticket; members are the
// team's agents, emailed per their preference.
func TeamUnassigned(t *helpdesk.Ticket, team string, members map[string]helpdesk.Agent, now time.Time) Records {
	n := notification(t, helpdesk.TeamRecipient(team), helpdesk.NotifyTeamUnassigned, now)
	r := Records{Notifications: []helpdesk.Notification{n}}
	for _, a := range members {
		if a.Notify.EmailOnTeamUnassigned && a.Email != "" && a.Active {
			r.email(n, a, fmt.Sprintf("[#%s] new unassigned ticket for your team: %s", t.ID, t.Subject))
		}
	}
	return r
}

func notification(t *helpdesk.Ticket, recipient string, kind helpdesk.NotificationKind, now time.Time) helpdesk.Notification {
	return helpdesk.Notification{ID: helpdesk.NewID(), Recipient: recipient, Kind: kind, TicketID: t.ID, Subject: t.Subject, At: now}
}

func (r *Records) email(n helpdesk.Notification, a helpdesk.Agent, subject string) {
	body, err := jobs.Encode(jobs.KindNotificationEmail, jobs.NotificationEmail{
		NotificationID: n.ID, TicketID: n.TicketID, Kind: n.Kind,
		ToAgentID: a.ID, ToEmail: a.Email, ToName: a.Name, Subject: subject,
	})
	if err != nil {
		return // cannot happen for this plain struct; the in-app record still stands
	}
	if r.Outbox == nil {
		r.Outbox = map[string]string{}
	}
	r.Outbox[n.ID+"#"+a.ID] = string(body)
}
