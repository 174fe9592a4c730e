package helpdesk_test

import (
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// sales is a second pipeline whose first stage closes (an odd but valid
// order): the reopen rule must skip it.
var sales = helpdesk.Pipeline{ID: "sales", Name: "Sales", Stages: []helpdesk.Stage{
	{ID: "lost", Name: "Lost", Closed: true},
	{ID: "lead", Name: "Lead"},
	{ID: "won", Name: "Won", Closed: true},
}}

func withSales() helpdesk.Settings {
	s := helpdesk.DefaultSettings()
	s.Pipelines[sales.ID] = sales
	s.Categories = []helpdesk.Category{{ID: "billing", Name: "Billing"}, {ID: "bug", Name: "Bug"}}
	return s
}

func TestDefaultSettingsAreValid(t *testing.T) {
	s := helpdesk.DefaultSettings()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Pipelines[helpdesk.DefaultPipeline.ID]; !ok || s.Defaults.Pipeline != helpdesk.DefaultPipeline.ID || s.Defaults.Status != "new" {
		t.Errorf("DefaultSettings = %+v", s)
	}
	// Each call is a fresh value: changing one must not change the next.
	s.Pipelines["x"] = sales
	if _, ok := helpdesk.DefaultSettings().Pipelines["x"]; ok {
		t.Error("DefaultSettings shares its pipelines map")
	}
}

func TestSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*helpdesk.Settings)
		reason string // "" = valid
	}{
		{"two pipelines and categories", func(*helpdesk.Settings) {}, ""},
		{"default category", func(s *helpdesk.Settings) { s.Defaults.Category = "bug" }, ""},
		{"no default priority", func(s *helpdesk.Settings) { s.Defaults.Priority = "" }, ""},
		{"no pipelines", func(s *helpdesk.Settings) { s.Pipelines = nil }, "no_pipelines"},
		{"pipeline without id", func(s *helpdesk.Settings) { s.Pipelines[""] = helpdesk.Pipeline{Name: "X"} }, "pipeline_id_required"},
		{"pipeline under another key", func(s *helpdesk.Settings) { s.Pipelines["other"] = sales }, "pipeline_id_mismatch"},
		{"pipeline without name", func(s *helpdesk.Settings) { p := sales; p.Name = ""; s.Pipelines["sales"] = p }, "pipeline_name_required"},
		{"stage without id", func(s *helpdesk.Settings) { setStages(s, helpdesk.Stage{Name: "?"}) }, "stage_id_required"},
		{"stage without name", func(s *helpdesk.Settings) { setStages(s, helpdesk.Stage{ID: "x"}) }, "stage_name_required"},
		{"duplicate stage", func(s *helpdesk.Settings) {
			setStages(s, helpdesk.Stage{ID: "a", Name: "A"}, helpdesk.Stage{ID: "a", Name: "A again", Closed: true})
		}, "duplicate_stage"},
		{"no open stage", func(s *helpdesk.Settings) { setStages(s, helpdesk.Stage{ID: "done", Name: "Done", Closed: true}) }, "no_open_stage"},
		{"no closed stage", func(s *helpdesk.Settings) { setStages(s, helpdesk.Stage{ID: "lead", Name: "Lead"}) }, "no_closed_stage"},
		{"no stages", func(s *helpdesk.Settings) { setStages(s) }, "no_open_stage"},
		{"category without id", func(s *helpdesk.Settings) { s.Categories = append(s.Categories, helpdesk.Category{Name: "X"}) }, "category_id_required"},
		{"category without name", func(s *helpdesk.Settings) { s.Categories = append(s.Categories, helpdesk.Category{ID: "x"}) }, "category_name_required"},
		{"duplicate category", func(s *helpdesk.Settings) {
			s.Categories = append(s.Categories, helpdesk.Category{ID: "bug", Name: "Defect"})
		}, "duplicate_category"},
		{"unknown default pipeline", func(s *helpdesk.Settings) { s.Defaults.Pipeline = "nope" }, "unknown_default_pipeline"},
		{"empty default pipeline", func(s *helpdesk.Settings) { s.Defaults.Pipeline = "" }, "unknown_default_pipeline"},
		{"default status of another pipeline", func(s *helpdesk.Settings) { s.Defaults.Status = "lead" }, "unknown_default_status"},
		{"closing default status", func(s *helpdesk.Settings) { s.Defaults.Status = "closed" }, "default_status_closed"},
		{"bad default priority", func(s *helpdesk.Settings) { s.Defaults.Priority = "whenever" }, "invalid_default_priority"},
		{"unknown default category", func(s *helpdesk.Settings) { s.Defaults.Category = "nope" }, "unknown_default_category"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := withSales()
			tc.change(&s)
			err := s.Validate()
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Validate = %v, want valid", err)
				}
				return
			}
			if !helpdesk.IsCode(err, helpdesk.EInvalid) || helpdesk.ErrorReason(err) != tc.reason {
				t.Fatalf("Validate = %v, want %s (%s)", err, helpdesk.EInvalid, tc.reason)
			}
		})
	}
}

// setStages replaces the sales pipeline's stages.
func setStages(s *helpdesk.Settings, stages ...helpdesk.Stage) {
	p := s.Pipelines["sales"]
	p.Stages = stages
	s.Pipelines["sales"] = p
}

func TestSettingsResolve(t *testing.T) {
	s := withSales()
	tests := []struct {
		pipeline, status string
		want             helpdesk.State
		reason           string
	}{
		{"support", "new", helpdesk.StateOpen, ""},
		{"support", "closed", helpdesk.StateClosed, ""},
		{"sales", "won", helpdesk.StateClosed, ""},
		{"sales", "new", "", "unknown_status"},
		{"nope", "new", "", "unknown_pipeline"},
	}
	for _, tc := range tests {
		got, err := s.Resolve(tc.pipeline, tc.status)
		if got != tc.want || helpdesk.ErrorReason(err) != tc.reason {
			t.Errorf("Resolve(%q, %q) = %q, %v; want %q, %q", tc.pipeline, tc.status, got, err, tc.want, tc.reason)
		}
	}
}

func TestFirstOpenStageAndReopenStatus(t *testing.T) {
	if st, ok := sales.FirstOpenStage(); !ok || st.ID != "lead" {
		t.Errorf("sales.FirstOpenStage = %+v, %v; want lead", st, ok)
	}
	if st, ok := (helpdesk.Pipeline{ID: "x", Stages: []helpdesk.Stage{{ID: "c", Closed: true}}}).FirstOpenStage(); ok {
		t.Errorf("FirstOpenStage of an all-closed pipeline = %+v, want none", st)
	}
	s := withSales()
	tests := []struct{ pipeline, wantPipeline, wantStatus string }{
		{"support", "support", "new"},
		{"sales", "sales", "lead"},
		// A pipeline the admin deleted: back to the tenant's default.
		{"deleted", "support", "new"},
	}
	for _, tc := range tests {
		if p, st := s.ReopenStatus(tc.pipeline); p != tc.wantPipeline || st != tc.wantStatus {
			t.Errorf("ReopenStatus(%q) = %q, %q; want %q, %q", tc.pipeline, p, st, tc.wantPipeline, tc.wantStatus)
		}
	}
}

func TestDefaultsFor(t *testing.T) {
	s := withSales()
	s.Defaults.Category = "billing"
	tests := []struct {
		name          string
		channel, want helpdesk.TicketDefaults
	}{
		{"channel names none", helpdesk.TicketDefaults{},
			helpdesk.TicketDefaults{Pipeline: "support", Status: "new", Priority: helpdesk.PriorityMedium, Category: "billing"}},
		{"channel names everything", helpdesk.TicketDefaults{Pipeline: "sales", Status: "won", Priority: helpdesk.PriorityHigh, Category: "bug"},
			helpdesk.TicketDefaults{Pipeline: "sales", Status: "won", Priority: helpdesk.PriorityHigh, Category: "bug"}},
		{"pipeline without status", helpdesk.TicketDefaults{Pipeline: "sales"},
			helpdesk.TicketDefaults{Pipeline: "sales", Status: "lead", Priority: helpdesk.PriorityMedium, Category: "billing"}},
		// Left for Resolve to refuse rather than silently moved.
		{"unknown pipeline", helpdesk.TicketDefaults{Pipeline: "nope"},
			helpdesk.TicketDefaults{Pipeline: "nope", Priority: helpdesk.PriorityMedium, Category: "billing"}},
	}
	for _, tc := range tests {
		if got := s.DefaultsFor(tc.channel); got != tc.want {
			t.Errorf("%s: DefaultsFor(%+v) = %+v, want %+v", tc.name, tc.channel, got, tc.want)
		}
	}
}
