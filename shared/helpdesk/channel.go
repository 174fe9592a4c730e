package helpdesk

import "time"

// Channel is one connected source of tickets: a team address, a form, a
// Facebook page or a WhatsApp number.
type Channel struct {
	ID       string      `dynamodbav:"id" json:"id"`
	Kind     ChannelKind `dynamodbav:"kind" json:"kind"`
	Name     string      `dynamodbav:"name" json:"name"`
	Disabled bool        `dynamodbav:"disabled,omitempty" json:"disabled,omitempty"`
	// Defaults are the ticket properties a new ticket from this channel gets.
	Defaults TicketDefaults `dynamodbav:"defaults" json:"defaults"`
	// Routing is the channel's routing rule; applied by the routing package.
	Routing   RoutingRule        `dynamodbav:"routing" json:"routing"`
	Form      *FormSettings      `dynamodbav:"form,omitempty" json:"form,omitempty"`
	Email     *EmailSettings     `dynamodbav:"email,omitempty" json:"email,omitempty"`
	Messenger *MessengerSettings `dynamodbav:"messenger,omitempty" json:"messenger,omitempty"`
	WhatsApp  *WhatsAppSettings  `dynamodbav:"whatsapp,omitempty" json:"whatsapp,omitempty"`
	CreatedAt time.Time          `dynamodbav:"createdAt" json:"created_at"`
	Version   int64              `dynamodbav:"version,omitempty" json:"version"` // counts admin edits
}

// TicketDefaults are the properties a channel gives to the tickets it creates.
type TicketDefaults struct {
	Pipeline string   `dynamodbav:"pipeline" json:"pipeline"`
	Status   string   `dynamodbav:"status" json:"status"`
	Priority Priority `dynamodbav:"priority,omitempty" json:"priority,omitempty"`
	Category string   `dynamodbav:"category,omitempty" json:"category,omitempty"`
}

// RoutingRuleKind names a channel's routing rule (seed 003).
type RoutingRuleKind string

const (
	RouteNobody       RoutingRuleKind = "nobody"
	RouteUsersTeams   RoutingRuleKind = "users_and_teams"
	RouteTeamOnly     RoutingRuleKind = "team_only"
	RouteContactOwner RoutingRuleKind = "contact_owner"
)

// Distribution names how a rule picks among eligible users.
type Distribution string

const (
	DistLoadBalanced Distribution = "load_balanced"
	DistRoundRobin   Distribution = "round_robin"
	DistRandom       Distribution = "random"
)

// RoutingRule is stored on the channel. The zero value routes to nobody.
type RoutingRule struct {
	Kind            RoutingRuleKind `dynamodbav:"kind,omitempty" json:"kind,omitempty"`
	Distribution    Distribution    `dynamodbav:"distribution,omitempty" json:"distribution,omitempty"`
	UserIDs         []string        `dynamodbav:"userIds,omitempty" json:"user_ids,omitempty"`
	TeamIDs         []string        `dynamodbav:"teamIds,omitempty" json:"team_ids,omitempty"`
	TeamID          string          `dynamodbav:"teamId,omitempty" json:"team_id,omitempty"`
	Skills          []string        `dynamodbav:"skills,omitempty" json:"skills,omitempty"`
	AnyAvailability bool            `dynamodbav:"anyAvailability,omitempty" json:"any_availability,omitempty"`
}

// FormAuth says how a form channel authenticates submissions.
type FormAuth string

const (
	// FormAuthHMAC: X-Stackdesk-Signature: sha256=<hex HMAC of the raw body>.
	FormAuthHMAC FormAuth = "hmac"
	// FormAuthToken: the channel token in X-Stackdesk-Form-Token or ?token=,
	// for plain HTML forms that cannot sign.
	FormAuthToken FormAuth = "token"
	// FormAuthNone accepts unsigned submissions (the channel owner opted in).
	FormAuthNone FormAuth = "none"
)

// FormSettings configure a web-form channel.
type FormSettings struct {
	Auth   FormAuth `dynamodbav:"auth" json:"auth"`
	Secret string   `dynamodbav:"secret,omitempty" json:"-"` // HMAC key or token; never serialised to clients
	// AllowedHidden lists the ticket properties an unsigned submission
	// (auth none or token: anyone who loads the page can read the token)
	// may set through its hidden fields; nil allows none. HMAC-signed
	// submissions come from the form's owner and may set any known value.
	AllowedHidden *FormHidden `dynamodbav:"allowedHidden,omitempty" json:"allowed_hidden,omitempty"`
}

// FormHidden is an allow-list of hidden-field values, per property.
type FormHidden struct {
	Pipelines  []string   `dynamodbav:"pipelines,omitempty" json:"pipelines,omitempty"`
	Statuses   []string   `dynamodbav:"statuses,omitempty" json:"statuses,omitempty"`
	Priorities []Priority `dynamodbav:"priorities,omitempty" json:"priorities,omitempty"`
	Categories []string   `dynamodbav:"categories,omitempty" json:"categories,omitempty"`
}

// EmailSettings configure a team-email channel (seed 002).
type EmailSettings struct {
	Address     string `dynamodbav:"address" json:"address"`          // support@acme.example
	CompanyName string `dynamodbav:"companyName" json:"company_name"` // shown in From
	// FromMode is "agent_and_company" or "company_only".
	FromMode  string `dynamodbav:"fromMode,omitempty" json:"from_mode,omitempty"`
	Signature string `dynamodbav:"signature,omitempty" json:"signature,omitempty"` // {{full_name}}, {{first_name}}, {{last_name}}
	// LogForwarder turns off "use the original sender of forwarded mail"
	// (on by default, hence the inverted zero value).
	LogForwarder bool `dynamodbav:"logForwarder,omitempty" json:"log_forwarder,omitempty"`
	// NewTicketAfterDays: a reply to a ticket closed longer ago than this
	// starts a new ticket; 0 always reopens the closed ticket.
	NewTicketAfterDays int `dynamodbav:"newTicketAfterDays,omitempty" json:"new_ticket_after_days,omitempty"`
}

// ConsentMode is how a Messenger page asks for GDPR consent (seed 002).
type ConsentMode string

const (
	// ConsentOff: no consent text is shown.
	ConsentOff ConsentMode = ""
	// ConsentExplicit: the visitor must choose "I agree" before anything
	// they send is taken; what they send first is held.
	ConsentExplicit ConsentMode = "explicit"
	// ConsentImplicit: starting the conversation is consent; the consent
	// text is sent with the greeting.
	ConsentImplicit ConsentMode = "implicit"
)

// ConsentAcceptPayload is the quick-reply payload of the "I agree" choice.
const ConsentAcceptPayload = "STACKDESK_CONSENT_ACCEPT"

// DefaultAgreeLabel labels the "I agree" choice when the page sets none.
const DefaultAgreeLabel = "I agree"

// MessengerSettings configure a Facebook page channel (id "messenger:<page id>").
type MessengerSettings struct {
	PageID string `dynamodbav:"pageId" json:"page_id"`
	// Greeting is sent to a visitor the first time they write.
	Greeting string `dynamodbav:"greeting,omitempty" json:"greeting,omitempty"`
	// InstantReply is sent after the first message of each new conversation.
	InstantReply string      `dynamodbav:"instantReply,omitempty" json:"instant_reply,omitempty"`
	Consent      ConsentMode `dynamodbav:"consent,omitempty" json:"consent,omitempty"`
	ConsentText  string      `dynamodbav:"consentText,omitempty" json:"consent_text,omitempty"`
	// AgreeLabel is the explicit-consent button ("I agree" by default).
	AgreeLabel string `dynamodbav:"agreeLabel,omitempty" json:"agree_label,omitempty"`
}

// WhatsAppSettings configure a WhatsApp Business number (id "whatsapp:<phone number id>").
type WhatsAppSettings struct {
	PhoneNumberID string `dynamodbav:"phoneNumberId" json:"phone_number_id"`
	DisplayNumber string `dynamodbav:"displayNumber,omitempty" json:"display_number,omitempty"`
}

// Pipeline is an ordered set of ticket statuses; a status may close the ticket.
type Pipeline struct {
	ID     string  `json:"id"`
	Name   string  `json:"name"`
	Stages []Stage `json:"stages"`
}

// Stage is one status of a pipeline.
type Stage struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Closed bool   `json:"closed,omitempty"`
	// WaitingOnCustomer marks the stage that means "waiting on you": a
	// ticket an agent moves into it tells its customer (never a closing stage).
	WaitingOnCustomer bool `json:"waiting_on_customer,omitempty"`
}

// DefaultPipeline is the support pipeline every tenant starts with (seed 001).
var DefaultPipeline = Pipeline{
	ID:   "support",
	Name: "Support pipeline",
	Stages: []Stage{
		{ID: "new", Name: "New"},
		{ID: "waiting_on_contact", Name: "Waiting on contact", WaitingOnCustomer: true},
		{ID: "waiting_on_us", Name: "Waiting on us"},
		{ID: "closed", Name: "Closed", Closed: true},
	},
}

// Stage returns the stage with the given id.
func (p Pipeline) Stage(id string) (Stage, bool) {
	for _, s := range p.Stages {
		if s.ID == id {
			return s, true
		}
	}
	return Stage{}, false
}

// Pipelines is the set of pipelines a tenant has, by id.
type Pipelines map[string]Pipeline

// DefaultPipelines is what a new tenant has until it configures its own.
func DefaultPipelines() Pipelines { return Pipelines{DefaultPipeline.ID: DefaultPipeline} }

// Resolve checks that status belongs to pipeline and returns the state a
// ticket in that status is in.
func (ps Pipelines) Resolve(pipeline, status string) (State, error) {
	p, ok := ps[pipeline]
	if !ok {
		return "", Errorf(EInvalid, "unknown_pipeline", "unknown pipeline %q", pipeline)
	}
	s, ok := p.Stage(status)
	if !ok {
		return "", Errorf(EInvalid, "unknown_status", "status %q is not a stage of pipeline %q", status, pipeline)
	}
	if s.Closed {
		return StateClosed, nil
	}
	return StateOpen, nil
}
