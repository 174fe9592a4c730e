package localrun

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/mailin"
)

// Demo names what Seed created.
type Demo struct {
	FormChannelID   string // unsigned: curl can post to it as is
	EmailAddress    string // the team address of the email channel
	SignedChannelID string // HMAC-signed with SignedSecret
	SignedSecret    string
	TeamID          string
	AgentIDs        []string
}

// Seed writes a demo tenant: a support team of three agents and two form
// channels. It overwrites, so running it again is harmless.
func (r *Runner) Seed(ctx context.Context) (Demo, error) {
	now := time.Now().UTC()
	d := Demo{FormChannelID: "contact-form", SignedChannelID: "signed-form", SignedSecret: "demo-secret", TeamID: "support",
		EmailAddress: "support@acme.example"}
	agents := []helpdesk.Agent{
		{ID: "alice", Email: "alice@acme.example", Name: "Alice Martin", Seat: true, Active: true, Skills: []string{"en", "fr"}, TimeZone: "Europe/Paris"},
		{ID: "bob", Email: "bob@acme.example", Name: "Bob Chen", Seat: true, Active: true, Skills: []string{"en"}, TimeZone: "America/New_York"},
		{ID: "chloe", Email: "chloe@acme.example", Name: "Chloé Dubois", Seat: true, Active: true, Skills: []string{"fr"}, TimeZone: "Europe/Paris"},
	}
	for _, a := range agents {
		a.CreatedAt = now
		a.Notify = helpdesk.NotifyPrefs{EmailOnAssignment: true, EmailOnTeamUnassigned: true}
		if err := r.Store.PutAgent(ctx, a); err != nil {
			return d, fmt.Errorf("seed agent %s: %w", a.ID, err)
		}
		d.AgentIDs = append(d.AgentIDs, a.ID)
	}
	team := helpdesk.Team{ID: d.TeamID, Name: "Support", MemberIDs: d.AgentIDs, CreatedAt: now}
	if err := r.Store.PutTeam(ctx, team); err != nil {
		return d, fmt.Errorf("seed team: %w", err)
	}
	defaults := helpdesk.TicketDefaults{Pipeline: helpdesk.DefaultPipeline.ID, Status: "new", Priority: helpdesk.PriorityMedium}
	routing := helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistLoadBalanced, TeamIDs: []string{d.TeamID}}
	channels := []helpdesk.Channel{
		{ID: d.FormChannelID, Kind: helpdesk.ChannelForm, Name: "Website contact form", Defaults: defaults, Routing: routing,
			Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}, CreatedAt: now},
		{ID: d.SignedChannelID, Kind: helpdesk.ChannelForm, Name: "Signed partner form", Defaults: defaults, Routing: routing,
			Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthHMAC, Secret: d.SignedSecret}, CreatedAt: now},
		{ID: mailin.ChannelID(d.EmailAddress), Kind: helpdesk.ChannelEmail, Name: "Support email", Defaults: defaults, Routing: routing,
			Email: &helpdesk.EmailSettings{Address: d.EmailAddress, CompanyName: "Acme Support", FromMode: "agent_and_company",
				Signature: "-- \n{{full_name}}, Acme Support"}, CreatedAt: now},
	}
	for _, c := range channels {
		if err := r.Store.PutChannel(ctx, c); err != nil {
			return d, fmt.Errorf("seed channel %s: %w", c.ID, err)
		}
	}
	return d, nil
}
