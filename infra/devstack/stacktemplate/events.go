package stacktemplate

import (
	"encoding/json"
	"fmt"
	"strings"
)

// event returns the Properties of the SAM event source `event` of
// function (its Events map).
func (t *Template) event(function, event string) (map[string]any, error) {
	r, ok := t.Resources[function]
	if !ok {
		return nil, fmt.Errorf("template: no resource %s", function)
	}
	var p struct {
		Events map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	if err := json.Unmarshal(r.Properties, &p); err != nil {
		return nil, fmt.Errorf("template: %s: %w", function, err)
	}
	ev, ok := p.Events[event]
	if !ok {
		return nil, fmt.Errorf("template: %s has no event %s", function, event)
	}
	return ev.Properties, nil
}

// EventFilters returns the FilterCriteria patterns of function's event
// source `event` (a stream or queue mapping), decoded; none: no filter.
func (t *Template) EventFilters(function, event string) ([]map[string]any, error) {
	p, err := t.event(function, event)
	if err != nil {
		return nil, err
	}
	fc, _ := p["FilterCriteria"].(map[string]any)
	filters, _ := fc["Filters"].([]any)
	var out []map[string]any
	for _, f := range filters {
		src, _ := f.(map[string]any)["Pattern"].(string)
		var pat map[string]any
		if err := json.Unmarshal([]byte(src), &pat); err != nil {
			return nil, fmt.Errorf("template: %s %s: filter pattern: %w", function, event, err)
		}
		out = append(out, pat)
	}
	return out, nil
}

// ScheduleInput returns the Input a schedule event of function passes it.
func (t *Template) ScheduleInput(function, event string) (json.RawMessage, error) {
	p, err := t.event(function, event)
	if err != nil {
		return nil, err
	}
	in, ok := p["Input"].(string)
	if !ok || !json.Valid([]byte(in)) {
		return nil, fmt.Errorf("template: %s %s: no JSON Input", function, event)
	}
	return json.RawMessage(in), nil
}

// PassesFilters reports whether record (as Lambda's event filtering sees
// it: the record's JSON) passes an event source mapping with these
// patterns: any one pattern matching lets it through; no pattern, all.
func PassesFilters(patterns []map[string]any, record map[string]any) bool {
	for _, p := range patterns {
		if matches(p, record) {
			return true
		}
	}
	return len(patterns) == 0
}

// matches evaluates the subset of Lambda's event filter syntax the
// template uses: nested objects, and leaves that list exact strings or
// {"prefix": …}. An operator it does not know matches nothing, so a new
// one in the template fails closed here and in its tests.
func matches(pattern, event map[string]any) bool {
	for k, want := range pattern {
		got, ok := event[k]
		if !ok {
			return false
		}
		switch w := want.(type) {
		case map[string]any:
			sub, ok := got.(map[string]any)
			if !ok || !matches(w, sub) {
				return false
			}
		case []any:
			s, ok := got.(string)
			if !ok {
				return false
			}
			hit := false
			for _, alt := range w {
				switch a := alt.(type) {
				case string:
					hit = hit || a == s
				case map[string]any:
					if pre, ok := a["prefix"].(string); ok {
						hit = hit || strings.HasPrefix(s, pre)
					}
				}
			}
			if !hit {
				return false
			}
		default:
			return false
		}
	}
	return true
}
