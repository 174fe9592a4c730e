package localrun

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/stackdesk/stackdesk/infra/devstack/emulate"
	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/secrets"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Demo names what Seed created.
type Demo struct {
	FormChannelID   string // unsigned: curl can post to it as is
	EmailAddress    string // the team address of the email channel
	SalesAddress    string // a second team address (one mail to both is one message)
	SignedChannelID string // HMAC-signed with SignedSecret
	SignedSecret    string
	TeamID          string
	AgentIDs        []string
	// Meta: a Facebook page and a WhatsApp number, with the app secret
	// deliveries are signed with and the webhook verify token.
	PageID          string
	PhoneNumberID   string
	MetaAppSecret   string
	MetaVerifyToken string
	// AgentEmails sign in to the agent API with Password (alice is an
	// admin; bob and chloé are agents who see their team's tickets).
	AgentEmails []string
	Password    string
	// NotificationSender is where agents' notification emails come from
	// (verified in the emulated SES with the team addresses).
	NotificationSender string
}

// DemoPassword signs every demo agent in to the local user pool.
const DemoPassword = "Demo-password-1"

// Demo Graph API tokens, known to the fake Graph API the runner starts.
const (
	demoPageToken     = "demo-page-access-token"
	demoWhatsAppToken = "demo-whatsapp-access-token"
)

// Seed writes a demo tenant: the default settings, a support team of three
// agents, and form, email, Messenger and WhatsApp channels. It creates only
// what is missing, so running it again (every `make run`) keeps every change
// made since: a deactivated agent stays deactivated, a renamed channel keeps
// its name, edited settings stay edited, creation times stay. The Meta
// secret is the exception: it holds the local fake Graph API's demo
// credentials, written again on every start.
func (r *Runner) Seed(ctx context.Context) (Demo, error) {
	now := time.Now().UTC()
	d := Demo{Password: DemoPassword, FormChannelID: "contact-form", SignedChannelID: "signed-form", SignedSecret: "demo-secret", TeamID: "support",
		EmailAddress: "support@acme.example", SalesAddress: "sales@acme.example",
		// The ids of Meta's documented sample payloads (shared/channel/meta/testdata),
		// so those payloads can be posted to the local stack as they are.
		PageID: "106907411778215", PhoneNumberID: "106540352242922",
		MetaAppSecret: "demo-meta-app-secret", MetaVerifyToken: "demo-verify-token"}
	agents := []helpdesk.Agent{
		{ID: "alice", Email: "alice@acme.example", Name: "Alice Martin", Seat: true, Active: true, Skills: []string{"en", "fr"}, TimeZone: "Europe/Paris",
			Role: helpdesk.RoleAdmin, Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeAll, DeleteTickets: true, ManageSettings: true}},
		{ID: "bob", Email: "bob@acme.example", Name: "Bob Chen", Seat: true, Active: true, Skills: []string{"en"}, TimeZone: "America/New_York",
			Role: helpdesk.RoleAgent, Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeTeams}},
		{ID: "chloe", Email: "chloe@acme.example", Name: "Chloé Dubois", Seat: true, Active: true, Skills: []string{"fr"}, TimeZone: "Europe/Paris",
			Role: helpdesk.RoleAgent, Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeTeams}},
	}
	if err := r.Store.CreateSettingsIfMissing(ctx, helpdesk.DefaultSettings()); err != nil {
		return d, fmt.Errorf("seed settings: %w", err)
	}
	for _, a := range agents {
		a.CreatedAt = now
		a.Notify = helpdesk.NotifyPrefs{EmailOnAssignment: true, EmailOnTeamUnassigned: true}
		var err error
		if a.Sub, err = r.demoUser(ctx, a.Email); err != nil {
			return d, fmt.Errorf("seed agent %s: %w", a.ID, err)
		}
		if err := kept(r.Store.CreateAgent(ctx, a)); err != nil {
			return d, fmt.Errorf("seed agent %s: %w", a.ID, err)
		}
		if err := r.linkSignIn(ctx, a); err != nil {
			return d, fmt.Errorf("seed agent %s: %w", a.ID, err)
		}
		d.AgentIDs, d.AgentEmails = append(d.AgentIDs, a.ID), append(d.AgentEmails, a.Email)
	}
	team := helpdesk.Team{ID: d.TeamID, Name: "Support", MemberIDs: d.AgentIDs, CreatedAt: now}
	if err := kept(r.Store.CreateTeam(ctx, team)); err != nil {
		return d, fmt.Errorf("seed team: %w", err)
	}
	defaults := helpdesk.TicketDefaults{Pipeline: helpdesk.DefaultPipeline.ID, Status: "new", Priority: helpdesk.PriorityMedium}
	routing := helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistLoadBalanced, TeamIDs: []string{d.TeamID}}
	channels := []helpdesk.Channel{
		{ID: d.FormChannelID, Kind: helpdesk.ChannelForm, Name: "Website contact form", Defaults: defaults, Routing: routing,
			Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}, CreatedAt: now},
		{ID: d.SignedChannelID, Kind: helpdesk.ChannelForm, Name: "Signed partner form", Defaults: defaults, Routing: routing,
			Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthHMAC, Secret: d.SignedSecret}, CreatedAt: now},
		{ID: receive.ChannelID(d.EmailAddress), Kind: helpdesk.ChannelEmail, Name: "Support email", Defaults: defaults, Routing: routing,
			Email: &helpdesk.EmailSettings{Address: d.EmailAddress, CompanyName: "Acme Support", FromMode: "agent_and_company",
				Signature: "-- \n{{full_name}}, Acme Support"}, CreatedAt: now},
		{ID: receive.ChannelID(d.SalesAddress), Kind: helpdesk.ChannelEmail, Name: "Sales email", Defaults: defaults, Routing: routing,
			Email: &helpdesk.EmailSettings{Address: d.SalesAddress, CompanyName: "Acme Sales", FromMode: "company_only"}, CreatedAt: now},
		{ID: "messenger:" + d.PageID, Kind: helpdesk.ChannelMessenger, Name: "Acme on Facebook", Defaults: defaults, Routing: routing,
			Messenger: &helpdesk.MessengerSettings{PageID: d.PageID, Greeting: "Hi! Thanks for contacting Acme.",
				InstantReply: "We got your message; an agent will answer shortly.", Consent: helpdesk.ConsentImplicit,
				ConsentText: "We keep this conversation to answer you (privacy policy: acme.example/privacy)."}, CreatedAt: now},
		{ID: "whatsapp:" + d.PhoneNumberID, Kind: helpdesk.ChannelWhatsApp, Name: "Acme on WhatsApp", Defaults: defaults, Routing: routing,
			WhatsApp: &helpdesk.WhatsAppSettings{PhoneNumberID: d.PhoneNumberID, DisplayNumber: "+1 555 078 3881"}, CreatedAt: now},
	}
	// The portal channel routes the tickets customers open in the portal
	// (web/src/portal); its id is fixed (helpdesk.PortalChannelID).
	channels = append(channels, helpdesk.Channel{ID: helpdesk.PortalChannelID, Kind: helpdesk.ChannelPortal,
		Name: "Customer portal", Defaults: defaults, Routing: routing, CreatedAt: now})
	for _, c := range channels {
		if err := kept(r.Store.CreateChannel(ctx, c)); err != nil {
			return d, fmt.Errorf("seed channel %s: %w", c.ID, err)
		}
	}
	if err := r.seedMeta(ctx, d); err != nil {
		return d, err
	}
	d.NotificationSender = r.cfg.notificationSender()
	if err := r.verifySenders(ctx, d.NotificationSender, d.EmailAddress, d.SalesAddress); err != nil {
		return d, fmt.Errorf("seed SES identities: %w", err)
	}
	return d, nil
}

// demoUser returns the sub of the pool user with email, creating the user
// with DemoPassword if there is none (an existing user's password stays).
func (r *Runner) demoUser(ctx context.Context, email string) (string, error) {
	if sub, err := r.poolUserSub(ctx, email); sub != "" || err != nil {
		return sub, err
	}
	sub, err := emulate.CreatePoolUser(ctx, r.cognito, r.pool, email, DemoPassword)
	var exists *ciptypes.UsernameExistsException
	if errors.As(err, &exists) {
		// Created meanwhile (another seed of the same stack): use that one.
		return r.poolUserSub(ctx, email)
	}
	return sub, err
}

// poolUserSub finds the pool user with email ("" if none). In a pool that
// signs in by email the username is a generated id, so the lookup is by
// the email attribute, not by username.
func (r *Runner) poolUserSub(ctx context.Context, email string) (string, error) {
	out, err := r.cognito.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &r.pool,
		Filter: aws.String(`email = "` + email + `"`)})
	if err != nil {
		return "", fmt.Errorf("find pool user %s: %w", email, err)
	}
	for _, u := range out.Users {
		if sub := attribute(u.Attributes, "sub"); sub != "" {
			return sub, nil
		}
	}
	return "", nil
}

func attribute(attrs []ciptypes.AttributeType, name string) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

// linkSignIn gives an agent record made before sign-in existed its pool
// identity, role and permissions, and nothing else: fields an admin set
// stay as they are.
func (r *Runner) linkSignIn(ctx context.Context, want helpdesk.Agent) error {
	cur, err := r.Store.GetAgent(ctx, want.ID)
	if err != nil || cur.Sub != "" {
		return err
	}
	cur.Sub = want.Sub
	if cur.Role == "" {
		cur.Role, cur.Permissions = want.Role, want.Permissions
	}
	return r.Store.PutAgent(ctx, cur)
}

// kept treats "already exists" as done: what is stored stays as it is.
func kept(err error) error {
	if errors.Is(err, store.ErrExists) {
		return nil
	}
	return err
}

// seedMeta puts the demo credentials in the stack's Meta secret and gives
// the fake Graph API the same page, number and tokens.
func (r *Runner) seedMeta(ctx context.Context, d Demo) error {
	secret, err := json.Marshal(secrets.Meta{AppSecret: d.MetaAppSecret, VerifyToken: d.MetaVerifyToken,
		AccessTokens: map[string]string{"messenger:" + d.PageID: demoPageToken, "whatsapp:" + d.PhoneNumberID: demoWhatsAppToken}})
	if err != nil {
		return err
	}
	arn := r.Stack.Secrets["MetaSecret"]
	if _, err := r.secrets.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: &arn, SecretString: aws.String(string(secret))}); err != nil {
		return fmt.Errorf("seed Meta secret: %w", err)
	}
	r.Graph.AddPage(d.PageID, demoPageToken)
	r.Graph.AddPhoneNumber(d.PhoneNumberID, demoWhatsAppToken)
	// The visitor of Meta's documented payloads (shared/channel/meta/testdata) has a profile.
	r.Graph.AddProfile(d.PageID, DemoPSID, DemoFirstName, DemoLastName)
	return nil
}

// The demo Messenger visitor: the PSID of Meta's documented example
// payloads, and the name the fake User Profile API gives it.
const (
	DemoPSID      = "3163874143641178"
	DemoFirstName = "Peter"
	DemoLastName  = "Chang"
)
