package helpdesk

import "time"

// Settings are the tenant's admin settings: the pipelines tickets move
// through, the categories tickets may carry and the tenant's ticket
// defaults. They live in the table (one item) so admins can change them
// without a deploy; functions read them through a cache.
type Settings struct {
	Pipelines  Pipelines  `json:"pipelines"`
	Categories []Category `json:"categories"`
	// Defaults are what a new ticket gets when neither its message nor its
	// channel names a pipeline, status, priority or category.
	Defaults TicketDefaults `json:"defaults"`
	// DefaultEmailChannel is the email channel that answers tickets whose
	// own channel cannot carry a reply (forms, the API, tickets made by
	// hand); empty: the first enabled email channel by id.
	DefaultEmailChannel string `json:"default_email_channel,omitempty"`
	// CustomerNotify turns kinds of customer notification off (all on by default).
	CustomerNotify CustomerNotifySettings `json:"customer_notify,omitzero"`
	// Portal is the customer portal's branding (portalbranding.go).
	Portal PortalBranding `json:"portal,omitzero"`
	// SLA are the business-hours calendars and SLA policies (sla.go).
	SLA SLASettings `json:"sla,omitzero"`
	// Version counts the writes; a write names the version it read so two
	// admins editing at once cannot overwrite each other. Set by the store.
	Version   int64     `json:"version"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// Category is one value a ticket's category may take.
type Category struct {
	ID   string `dynamodbav:"id" json:"id"`
	Name string `dynamodbav:"name" json:"name"`
}

// DefaultSettings are what a new tenant starts with: the support pipeline,
// no categories, new tickets in "new" at medium priority.
func DefaultSettings() Settings {
	return Settings{
		Pipelines:  DefaultPipelines(),
		Categories: []Category{},
		Defaults: TicketDefaults{Pipeline: DefaultPipeline.ID, Status: DefaultPipeline.Stages[0].ID,
			Priority: PriorityMedium},
	}
}

// Validate reports the first thing that makes the settings unusable, as an
// EInvalid error whose reason names it. Settings that pass can be resolved
// against without surprises: every pipeline can hold open and closed
// tickets, and the defaults exist.
func (s Settings) Validate() error {
	invalid := func(reason, format string, args ...any) error {
		return Errorf(EInvalid, reason, format, args...)
	}
	if len(s.Pipelines) == 0 {
		return invalid("no_pipelines", "at least one pipeline is required")
	}
	for key, p := range s.Pipelines {
		switch {
		case p.ID == "":
			return invalid("pipeline_id_required", "a pipeline has no id")
		case p.ID != key:
			return invalid("pipeline_id_mismatch", "pipeline %q is listed as %q", p.ID, key)
		case p.Name == "":
			return invalid("pipeline_name_required", "pipeline %q has no name", p.ID)
		}
		seen := make(map[string]bool, len(p.Stages))
		var open, closed bool
		for _, st := range p.Stages {
			switch {
			case st.ID == "":
				return invalid("stage_id_required", "a stage of pipeline %q has no id", p.ID)
			case st.Name == "":
				return invalid("stage_name_required", "stage %q of pipeline %q has no name", st.ID, p.ID)
			case seen[st.ID]:
				return invalid("duplicate_stage", "pipeline %q has stage %q twice", p.ID, st.ID)
			}
			if st.Closed && st.WaitingOnCustomer {
				return invalid("closed_stage_waiting", "stage %q of pipeline %q closes tickets, so cannot wait on the customer", st.ID, p.ID)
			}
			seen[st.ID] = true
			open, closed = open || !st.Closed, closed || st.Closed
		}
		if !open {
			return invalid("no_open_stage", "pipeline %q needs at least one open stage", p.ID)
		}
		if !closed {
			return invalid("no_closed_stage", "pipeline %q needs at least one closing stage", p.ID)
		}
	}
	seen := make(map[string]bool, len(s.Categories))
	for _, c := range s.Categories {
		switch {
		case c.ID == "":
			return invalid("category_id_required", "a category has no id")
		case c.Name == "":
			return invalid("category_name_required", "category %q has no name", c.ID)
		case seen[c.ID]:
			return invalid("duplicate_category", "category %q is listed twice", c.ID)
		}
		seen[c.ID] = true
	}
	if err := s.CustomerNotify.validate(); err != nil {
		return err
	}
	if err := s.Portal.validate(); err != nil {
		return err
	}
	if err := s.SLA.validate(s); err != nil {
		return err
	}
	if len(s.DefaultEmailChannel) > 200 {
		return invalid("default_email_channel_too_long", "default email channel id: at most 200 characters")
	}
	d := s.Defaults
	p, ok := s.Pipelines[d.Pipeline]
	if !ok {
		return invalid("unknown_default_pipeline", "default pipeline %q does not exist", d.Pipeline)
	}
	st, ok := p.Stage(d.Status)
	switch {
	case !ok:
		return invalid("unknown_default_status", "default status %q is not a stage of pipeline %q", d.Status, d.Pipeline)
	case st.Closed:
		return invalid("default_status_closed", "default status %q closes tickets; new tickets start open", d.Status)
	case !d.Priority.Valid():
		return invalid("invalid_default_priority", "default priority %q is not a priority", d.Priority)
	case d.Category != "" && !s.HasCategory(d.Category):
		return invalid("unknown_default_category", "default category %q does not exist", d.Category)
	}
	return nil
}

// Resolve checks that status belongs to pipeline and returns the state a
// ticket in that status is in (see Pipelines.Resolve).
func (s Settings) Resolve(pipeline, status string) (State, error) {
	return s.Pipelines.Resolve(pipeline, status)
}

// HasCategory reports whether id is one of the tenant's categories.
func (s Settings) HasCategory(id string) bool {
	for _, c := range s.Categories {
		if c.ID == id {
			return true
		}
	}
	return false
}

// DefaultsFor fills what a channel's defaults leave empty with the
// tenant's: a channel without a pipeline gets the tenant's pipeline and
// status, one with a pipeline but no status gets that pipeline's first open
// stage.
func (s Settings) DefaultsFor(channel TicketDefaults) TicketDefaults {
	d := channel
	switch {
	case d.Pipeline == "":
		d.Pipeline, d.Status = s.Defaults.Pipeline, s.Defaults.Status
	case d.Status == "":
		if st, ok := s.Pipelines[d.Pipeline].FirstOpenStage(); ok {
			d.Status = st.ID
		}
	}
	if d.Priority == "" {
		d.Priority = s.Defaults.Priority
	}
	if d.Category == "" {
		d.Category = s.Defaults.Category
	}
	return d
}

// ReopenStatus is where a closed ticket of pipeline goes when the customer
// writes again: that pipeline's first open stage, or, if the pipeline no
// longer exists or has no open stage, the tenant's default pipeline and
// status.
func (s Settings) ReopenStatus(pipeline string) (pipelineID, status string) {
	if st, ok := s.Pipelines[pipeline].FirstOpenStage(); ok {
		return pipeline, st.ID
	}
	return s.Defaults.Pipeline, s.Defaults.Status
}

// FirstOpenStage returns the pipeline's first stage that does not close the
// ticket; false if it has none.
func (p Pipeline) FirstOpenStage() (Stage, bool) {
	for _, st := range p.Stages {
		if !st.Closed {
			return st, true
		}
	}
	return Stage{}, false
}
