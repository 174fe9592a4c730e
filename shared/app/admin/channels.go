package admin

import (
	"context"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Bounds of a channel's texts.
const (
	MaxSignature   = 5000
	MaxChatText    = 2000 // Messenger's limit for a text message
	MaxAgreeLabel  = 20   // Messenger's limit for a quick reply's title
	MaxSkills      = 50
	MaxRuleMembers = 100
	MaxReopenDays  = 365
)

// ChannelPatch changes a channel's settings; an absent field is left as
// it is. Defaults and Routing replace the whole value.
type ChannelPatch struct {
	Name      *string                  `json:"name"`
	Disabled  *bool                    `json:"disabled"`
	Defaults  *helpdesk.TicketDefaults `json:"defaults"`
	Routing   *helpdesk.RoutingRule    `json:"routing"`
	Email     *EmailPatch              `json:"email"`
	Messenger *MessengerPatch          `json:"messenger"`
	Form      *FormPatch               `json:"form"`
}

// FormPatch changes a web form's settings.
type FormPatch struct {
	// AllowedHidden replaces the values an unsigned submission may ask for
	// in its hidden fields ({} allows none).
	AllowedHidden *helpdesk.FormHidden `json:"allowed_hidden"`
}

// MaxAllowedHidden bounds each list of a form's allow-list.
const MaxAllowedHidden = 50

// EmailPatch changes a team-email channel's settings.
type EmailPatch struct {
	CompanyName        *string `json:"company_name"`
	FromMode           *string `json:"from_mode"`
	Signature          *string `json:"signature"`
	LogForwarder       *bool   `json:"log_forwarder"`
	NewTicketAfterDays *int    `json:"new_ticket_after_days"`
}

// MessengerPatch changes a Facebook page's greeting and consent.
type MessengerPatch struct {
	Greeting     *string               `json:"greeting"`
	InstantReply *string               `json:"instant_reply"`
	Consent      *helpdesk.ConsentMode `json:"consent"`
	ConsentText  *string               `json:"consent_text"`
	AgreeLabel   *string               `json:"agree_label"`
}

// GetChannel reads a channel.
func (s *Service) GetChannel(ctx context.Context, id string) (helpdesk.Channel, error) {
	c, err := s.Store.GetChannel(ctx, id)
	if helpdesk.IsCode(err, helpdesk.ENotFound) {
		return c, helpdesk.Errorf(helpdesk.ENotFound, "channel_not_found", "no channel %q", id)
	}
	return c, err
}

// UpdateChannel changes a channel's settings (disabling it included).
func (s *Service) UpdateChannel(ctx context.Context, actor, id string, patch ChannelPatch, ifMatch *int64) (helpdesk.Channel, error) {
	set, err := s.Settings(ctx)
	if err != nil {
		return helpdesk.Channel{}, err
	}
	return edit(ctx, ifMatch, func() (helpdesk.Channel, int64, error) {
		c, err := s.GetChannel(ctx, id)
		return c, c.Version, err
	}, func(before helpdesk.Channel) (helpdesk.Channel, helpdesk.AdminChange, error) {
		after, err := s.applyChannel(ctx, before, patch, set)
		if err != nil || same(before, after) {
			return before, helpdesk.AdminChange{}, err
		}
		after.Version = before.Version + 1
		e, err := s.entry(actor, helpdesk.AuditChannel, id, before, after)
		return after, helpdesk.AdminChange{Channels: []helpdesk.Write[helpdesk.Channel]{{Before: &before, After: &after}},
			Audit: []helpdesk.AuditEntry{e}}, err
	}, s.Store.CommitAdmin)
}

func (s *Service) applyChannel(ctx context.Context, c helpdesk.Channel, p ChannelPatch, set helpdesk.Settings) (helpdesk.Channel, error) {
	invalid := func(reason, format string, args ...any) error {
		return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
	}
	if p.Name != nil {
		name := strings.TrimSpace(*p.Name)
		if name == "" {
			return c, invalid("name_required", "name: a channel needs a name")
		}
		if err := bounded("name", name); err != nil {
			return c, err
		}
		c.Name = name
	}
	if p.Disabled != nil {
		c.Disabled = *p.Disabled
	}
	if p.Defaults != nil {
		if err := checkDefaults(set, *p.Defaults, "defaults"); err != nil {
			return c, err
		}
		c.Defaults = *p.Defaults
	}
	if p.Routing != nil {
		if err := s.checkRule(ctx, *p.Routing); err != nil {
			return c, err
		}
		c.Routing = *p.Routing
	}
	if e := p.Email; e != nil {
		if c.Email == nil {
			return c, invalid("not_an_email_channel", "email: channel %q is not a team email address", c.ID)
		}
		em := *c.Email
		if e.CompanyName != nil {
			if err := bounded("email.company_name", *e.CompanyName); err != nil {
				return c, err
			}
			em.CompanyName = *e.CompanyName
		}
		if e.FromMode != nil {
			if m := *e.FromMode; m != "" && m != "agent_and_company" && m != "company_only" {
				return c, invalid("invalid_from_mode", "email.from_mode: %q is not agent_and_company or company_only", truncate(m))
			}
			em.FromMode = *e.FromMode
		}
		if e.Signature != nil {
			if utf8.RuneCountInString(*e.Signature) > MaxSignature {
				return c, invalid("field_too_long", "email.signature: at most %d characters", MaxSignature)
			}
			em.Signature = *e.Signature
		}
		if e.LogForwarder != nil {
			em.LogForwarder = *e.LogForwarder
		}
		if e.NewTicketAfterDays != nil {
			if d := *e.NewTicketAfterDays; d < 0 || d > MaxReopenDays {
				return c, invalid("invalid_new_ticket_after_days", "email.new_ticket_after_days: 0 (always reopen) to %d", MaxReopenDays)
			}
			em.NewTicketAfterDays = *e.NewTicketAfterDays
		}
		c.Email = &em
	}
	if m := p.Messenger; m != nil {
		if c.Messenger == nil {
			return c, invalid("not_a_messenger_channel", "messenger: channel %q is not a Facebook page", c.ID)
		}
		ms := *c.Messenger
		for _, f := range []struct {
			name string
			in   *string
			out  *string
			max  int
		}{{"messenger.greeting", m.Greeting, &ms.Greeting, MaxChatText}, {"messenger.instant_reply", m.InstantReply, &ms.InstantReply, MaxChatText},
			{"messenger.consent_text", m.ConsentText, &ms.ConsentText, MaxChatText}, {"messenger.agree_label", m.AgreeLabel, &ms.AgreeLabel, MaxAgreeLabel}} {
			if f.in == nil {
				continue
			}
			if utf8.RuneCountInString(*f.in) > f.max {
				return c, invalid("field_too_long", "%s: at most %d characters", f.name, f.max)
			}
			*f.out = *f.in
		}
		if m.Consent != nil {
			if k := *m.Consent; k != helpdesk.ConsentOff && k != helpdesk.ConsentExplicit && k != helpdesk.ConsentImplicit {
				return c, invalid("invalid_consent", "messenger.consent: %q is not \"\", explicit or implicit", truncate(string(k)))
			}
			ms.Consent = *m.Consent
		}
		if ms.Consent != helpdesk.ConsentOff && strings.TrimSpace(ms.ConsentText) == "" {
			return c, invalid("consent_text_required", "messenger.consent_text: asking for consent needs the text to ask with")
		}
		c.Messenger = &ms
	}
	if f := p.Form; f != nil {
		if c.Form == nil {
			return c, invalid("not_a_form_channel", "form: channel %q is not a web form", c.ID)
		}
		fs := *c.Form
		if f.AllowedHidden != nil {
			if err := checkAllowedHidden(set, *f.AllowedHidden); err != nil {
				return c, err
			}
			fs.AllowedHidden = f.AllowedHidden
		}
		c.Form = &fs
	}
	return c, nil
}

// checkAllowedHidden judges a form's allow-list: known values only, and no
// closing status (a ticket is never created closed).
func checkAllowedHidden(set helpdesk.Settings, h helpdesk.FormHidden) error {
	invalid := func(reason, format string, args ...any) error {
		return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
	}
	if max(len(h.Pipelines), len(h.Statuses), len(h.Priorities), len(h.Categories)) > MaxAllowedHidden {
		return invalid("too_many_values", "form.allowed_hidden: at most %d values per list", MaxAllowedHidden)
	}
	for _, id := range h.Pipelines {
		if _, ok := set.Pipelines[id]; !ok {
			return invalid("unknown_pipeline", "form.allowed_hidden.pipelines: pipeline %q does not exist", truncate(id))
		}
	}
	for _, st := range h.Statuses {
		open, known := false, false
		for _, p := range set.Pipelines {
			if stage, ok := p.Stage(st); ok {
				known, open = true, open || !stage.Closed
			}
		}
		switch {
		case !known:
			return invalid("unknown_status", "form.allowed_hidden.statuses: %q is not a stage of any pipeline", truncate(st))
		case !open:
			return invalid("status_closed", "form.allowed_hidden.statuses: %q closes tickets; new tickets start open", truncate(st))
		}
	}
	for _, pr := range h.Priorities {
		if !pr.Valid() {
			return invalid("unknown_priority", "form.allowed_hidden.priorities: %q is not a priority", truncate(string(pr)))
		}
	}
	for _, cat := range h.Categories {
		if !set.HasCategory(cat) {
			return invalid("unknown_category", "form.allowed_hidden.categories: category %q does not exist", truncate(cat))
		}
	}
	return nil
}

// checkRule judges a routing rule: known kind and distribution, users and
// teams that exist, bounded skills.
func (s *Service) checkRule(ctx context.Context, r helpdesk.RoutingRule) error {
	invalid := func(reason, format string, args ...any) error {
		return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
	}
	switch r.Kind {
	case "", helpdesk.RouteNobody, helpdesk.RouteUsersTeams, helpdesk.RouteTeamOnly, helpdesk.RouteContactOwner:
	default:
		return invalid("invalid_routing_kind", "routing.kind: %q is not nobody, users_and_teams, team_only or contact_owner", truncate(string(r.Kind)))
	}
	switch r.Distribution {
	case "", helpdesk.DistLoadBalanced, helpdesk.DistRoundRobin, helpdesk.DistRandom:
	default:
		return invalid("invalid_distribution", "routing.distribution: %q is not load_balanced, round_robin or random", truncate(string(r.Distribution)))
	}
	if len(r.UserIDs) > MaxRuleMembers || len(r.TeamIDs) > MaxRuleMembers {
		return invalid("too_many_members", "routing: at most %d users and %d teams", MaxRuleMembers, MaxRuleMembers)
	}
	if r.Kind == helpdesk.RouteTeamOnly && r.TeamID == "" && len(r.TeamIDs) != 1 {
		return invalid("team_required", "routing.team_id: a team-only rule names its team")
	}
	if err := checkSkills("routing.skills", r.Skills); err != nil {
		return err
	}
	if len(r.UserIDs) > 0 {
		// The rule's users by id (one BatchGetItem), not the whole directory.
		agents, err := s.Store.GetAgents(ctx, r.UserIDs)
		if err != nil {
			return err
		}
		for _, id := range r.UserIDs {
			if _, ok := agents[id]; !ok {
				return invalid("unknown_user", "routing.user_ids: no user %q", truncate(id))
			}
		}
	}
	teams := slices.Clone(r.TeamIDs)
	if r.TeamID != "" {
		teams = append(teams, r.TeamID)
	}
	return s.teamsExist(ctx, "routing.team_ids", teams)
}

// teamsExist refuses ids of teams that do not exist, naming the field.
func (s *Service) teamsExist(ctx context.Context, field string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	teams, err := s.Store.ListTeams(ctx)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(teams, func(t helpdesk.Team) bool { return t.ID == id }) {
			return helpdesk.Errorf(helpdesk.EInvalid, "unknown_team", "%s: no team %q", field, truncate(id))
		}
	}
	return nil
}

// checkSkills bounds a list of skills.
func checkSkills(field string, skills []string) error {
	if len(skills) > MaxSkills {
		return helpdesk.Errorf(helpdesk.EInvalid, "too_many_skills", "%s: at most %d", field, MaxSkills)
	}
	for _, sk := range skills {
		if strings.TrimSpace(sk) == "" {
			return helpdesk.Errorf(helpdesk.EInvalid, "skill_blank", "%s: a skill is blank", field)
		}
		if err := bounded(field, sk); err != nil {
			return err
		}
	}
	return nil
}
