package admin

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Bounds of the settings, so the item (and its audit entry, which holds it
// twice) stays far inside DynamoDB's 400 KB.
const (
	MaxPipelines  = 20
	MaxStages     = 30
	MaxCategories = 200
	MaxName       = 100 // characters of an id or a name
)

// Settings reads the tenant's settings; before anything wrote them, the
// defaults at version 0 (the first write creates them).
func (s *Service) Settings(ctx context.Context) (helpdesk.Settings, error) {
	set, err := s.Store.GetSettings(ctx)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return helpdesk.DefaultSettings(), nil
	}
	return set, err
}

// SettingsRequest replaces the pipelines, categories and defaults.
type SettingsRequest struct {
	Pipelines  helpdesk.Pipelines      `json:"pipelines"`
	Categories []helpdesk.Category     `json:"categories"`
	Defaults   helpdesk.TicketDefaults `json:"defaults"`
	// CustomerNotify, when set, replaces the customer notification
	// switches; nil leaves them as they are.
	CustomerNotify *helpdesk.CustomerNotifySettings `json:"customer_notify,omitempty"`
	// Portal, when set, replaces the customer portal's branding; nil
	// leaves it as it is.
	Portal *helpdesk.PortalBranding `json:"portal,omitempty"`
	// SLA, when set, replaces the calendars and SLA policies; nil leaves
	// them as they are. Tickets running keep their due dates: a change
	// applies to the events that follow (ticket/sla.go).
	SLA *helpdesk.SLASettings `json:"sla,omitempty"`
}

// PutSettings replaces the settings. Beyond their own validity, every
// channel's defaults must still resolve against them (so removing a
// pipeline, stage or category a channel names is refused, naming it).
func (s *Service) PutSettings(ctx context.Context, actor string, req SettingsRequest, ifMatch *int64) (helpdesk.Settings, error) {
	if err := req.check(); err != nil {
		return helpdesk.Settings{}, err
	}
	channels, err := s.Store.ListChannels(ctx)
	if err != nil {
		return helpdesk.Settings{}, err
	}
	return edit(ctx, ifMatch, func() (helpdesk.Settings, int64, error) {
		set, err := s.Settings(ctx)
		return set, set.Version, err
	}, func(before helpdesk.Settings) (helpdesk.Settings, helpdesk.AdminChange, error) {
		after := before
		after.Pipelines, after.Categories, after.Defaults = req.Pipelines, req.Categories, req.Defaults
		if req.CustomerNotify != nil {
			after.CustomerNotify = *req.CustomerNotify
		}
		if req.Portal != nil {
			after.Portal = *req.Portal
		}
		if req.SLA != nil {
			after.SLA = closedDays(*req.SLA)
		}
		if after.Categories == nil {
			after.Categories = []helpdesk.Category{}
		}
		if err := after.Validate(); err != nil {
			return before, helpdesk.AdminChange{}, err
		}
		if err := compileCalendars(after.SLA); err != nil { // sla.go
			return before, helpdesk.AdminChange{}, err
		}
		for _, ch := range channels {
			if err := checkDefaults(after, ch.Defaults, "channel "+ch.ID+"'s defaults"); err != nil {
				return before, helpdesk.AdminChange{}, helpdesk.Errorf(helpdesk.EInvalid, "channel_defaults_invalid",
					"%s; change the channel first", helpdesk.ErrorMessage(err))
			}
		}
		if same(before, after) {
			return before, helpdesk.AdminChange{}, nil
		}
		after.Version = before.Version + 1
		after.UpdatedAt = s.Now().UTC()
		e, err := s.entry(actor, helpdesk.AuditSettings, "settings", before, after)
		if before.Version == 0 {
			e.Before, e.Action = nil, helpdesk.AuditCreate // the defaults were never stored
		}
		return after, helpdesk.AdminChange{Settings: &helpdesk.Write[helpdesk.Settings]{Before: &before, After: &after},
			Audit: []helpdesk.AuditEntry{e}}, err
	}, s.Store.CommitAdmin)
}

// check bounds the request; Settings.Validate judges the rest.
func (r SettingsRequest) check() error {
	invalid := func(reason, format string, args ...any) error {
		return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
	}
	switch {
	case len(r.Pipelines) > MaxPipelines:
		return invalid("too_many_pipelines", "pipelines: at most %d", MaxPipelines)
	case len(r.Categories) > MaxCategories:
		return invalid("too_many_categories", "categories: at most %d", MaxCategories)
	}
	for key, p := range r.Pipelines {
		if len(p.Stages) > MaxStages {
			return invalid("too_many_stages", "pipelines.%s.stages: at most %d", key, MaxStages)
		}
		if err := bounded("pipelines."+key, key, p.ID, p.Name); err != nil {
			return err
		}
		for _, st := range p.Stages {
			if err := bounded("pipelines."+key+".stages", st.ID, st.Name); err != nil {
				return err
			}
		}
	}
	for _, c := range r.Categories {
		if err := bounded("categories", c.ID, c.Name); err != nil {
			return err
		}
	}
	return bounded("defaults", r.Defaults.Pipeline, r.Defaults.Status, string(r.Defaults.Priority), r.Defaults.Category)
}

// bounded refuses ids and names over MaxName characters, naming the field.
func bounded(field string, vs ...string) error {
	for _, v := range vs {
		if utf8.RuneCountInString(v) > MaxName {
			return helpdesk.Errorf(helpdesk.EInvalid, "field_too_long", "%s: %q… is over %d characters", field, truncate(v), MaxName)
		}
	}
	return nil
}

func truncate(s string) string { return helpdesk.Snippet(s, 20) }

// checkDefaults judges a channel's defaults against the settings: a
// pipeline that exists, a status of it that opens tickets, a priority, a
// category of the tenant's ("" leaves each to the tenant's defaults).
func checkDefaults(set helpdesk.Settings, d helpdesk.TicketDefaults, field string) error {
	invalid := func(reason, format string, args ...any) error {
		return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
	}
	if d.Pipeline == "" && d.Status != "" {
		return invalid("pipeline_required", "%s: a status needs its pipeline", field)
	}
	if d.Pipeline != "" {
		p, ok := set.Pipelines[d.Pipeline]
		if !ok {
			return invalid("unknown_pipeline", "%s: pipeline %q does not exist", field, d.Pipeline)
		}
		if d.Status != "" {
			st, ok := p.Stage(d.Status)
			switch {
			case !ok:
				return invalid("unknown_status", "%s: status %q is not a stage of pipeline %q", field, d.Status, d.Pipeline)
			case st.Closed:
				return invalid("status_closed", "%s: status %q closes tickets; new tickets start open", field, d.Status)
			}
		}
	}
	if d.Priority != "" && !d.Priority.Valid() {
		return invalid("unknown_priority", "%s: priority %q is not a priority", field, d.Priority)
	}
	if d.Category != "" && !set.HasCategory(d.Category) {
		return invalid("unknown_category", "%s: category %q does not exist", field, d.Category)
	}
	return nil
}

// same reports whether two values look the same to clients.
func same(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(ja) == string(jb)
}

// closedDays gives each closed weekday of every calendar an empty list,
// not null: the settings read back as the API takes them.
func closedDays(s helpdesk.SLASettings) helpdesk.SLASettings {
	s.Calendars = slices.Clone(s.Calendars)
	for i := range s.Calendars {
		for d := range s.Calendars[i].Week {
			if s.Calendars[i].Week[d] == nil {
				s.Calendars[i].Week[d] = []helpdesk.Interval{}
			}
		}
	}
	return s
}
