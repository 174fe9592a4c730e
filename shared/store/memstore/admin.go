package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// This file holds admins' changes of the desk's settings and their audit
// trail, as store/admin.go.

// maxAdminItems is DynamoDB's limit of items in one transaction.
const maxAdminItems = 100

// CommitAdmin writes an admin's change with its audit entries, all or
// nothing, each item conditioned on its Before (see store.CommitAdmin).
func (s *Store) CommitAdmin(ctx context.Context, c helpdesk.AdminChange) error {
	n := len(c.Channels) + len(c.Agents) + len(c.Teams) + len(c.Audit)
	if c.Settings != nil {
		n++
		if c.Settings.After == nil {
			return fmt.Errorf("commit settings: the settings cannot be deleted")
		}
		if err := c.Settings.After.Validate(); err != nil {
			return err
		}
	}
	if n > maxAdminItems {
		return helpdesk.Errorf(helpdesk.EInvalid, "change_too_large", "the change writes %d items; at most %d at once", n, maxAdminItems)
	}
	// Copy what goes in before taking the lock (and fail on nothing stored).
	channels, err := afters(c.Channels)
	if err != nil {
		return err
	}
	agents, err := afters(c.Agents)
	if err != nil {
		return err
	}
	teams, err := afters(c.Teams)
	if err != nil {
		return err
	}
	var set *helpdesk.Settings
	if c.Settings != nil {
		cs, err := copySettings(*c.Settings.After)
		if err != nil {
			return err
		}
		set = &cs
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	// Check every condition first: a failed one writes nothing.
	if w := c.Settings; w != nil {
		create := w.Before == nil || w.Before.Version == 0
		switch {
		case create && s.settings != nil:
			return fmt.Errorf("commit admin change: %w", store.ErrExists)
		case !create && (s.settings == nil || s.settings.Version != w.Before.Version):
			return fmt.Errorf("commit admin change: %w", store.ErrVersionChanged)
		}
	}
	for _, check := range []error{
		conditions(s.channels, c.Channels, func(v helpdesk.Channel) (string, int64) { return v.ID, v.Version }),
		conditions(s.agents, c.Agents, func(v helpdesk.Agent) (string, int64) { return v.ID, v.Version }),
		conditions(s.teams, c.Teams, func(v helpdesk.Team) (string, int64) { return v.ID, v.Version }),
	} {
		if check != nil {
			return check
		}
	}
	if set != nil {
		set.UpdatedAt = s.now().UTC()
		s.settings = set
	}
	apply(s.channels, c.Channels, channels, func(v helpdesk.Channel) string { return v.ID })
	apply(s.agents, c.Agents, agents, func(v helpdesk.Agent) string { return v.ID })
	apply(s.teams, c.Teams, teams, func(v helpdesk.Team) string { return v.ID })
	if s.audit == nil {
		s.audit = map[string]helpdesk.AuditEntry{}
	}
	for _, e := range c.Audit {
		e.At = e.At.UTC()
		e.Before, e.After = slices.Clone(e.Before), slices.Clone(e.After)
		s.audit[store.AuditSortKey(e)] = e
	}
	return nil
}

// afters copies the new values of ws (nil for a delete).
func afters[T any](ws []helpdesk.Write[T]) ([]*T, error) {
	out := make([]*T, len(ws))
	for i, w := range ws {
		if w.After == nil {
			continue
		}
		c, err := copyOf(*w.After)
		if err != nil {
			return nil, err
		}
		out[i] = &c
	}
	return out, nil
}

// conditions checks each write against what is stored: a create needs the
// id free, an update or delete the version read.
func conditions[T any](m map[string]T, ws []helpdesk.Write[T], key func(T) (string, int64)) error {
	for _, w := range ws {
		if w.Before == nil {
			if w.After == nil {
				continue
			}
			if id, _ := key(*w.After); hasKey(m, id) {
				return fmt.Errorf("commit admin change: %w", store.ErrExists)
			}
			continue
		}
		id, v := key(*w.Before)
		cur, ok := m[id]
		if !ok {
			return fmt.Errorf("commit admin change: %w", store.ErrVersionChanged)
		}
		if _, cv := key(cur); cv != v {
			return fmt.Errorf("commit admin change: %w", store.ErrVersionChanged)
		}
	}
	return nil
}

func hasKey[T any](m map[string]T, id string) bool { _, ok := m[id]; return ok }

func apply[T any](m map[string]T, ws []helpdesk.Write[T], after []*T, id func(T) string) {
	for i, w := range ws {
		switch {
		case after[i] != nil:
			m[id(*after[i])] = *after[i]
		case w.Before != nil:
			delete(m, id(*w.Before))
		}
	}
}

// ListAgents returns every agent, by name.
func (s *Store) ListAgents(ctx context.Context) ([]helpdesk.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := copyAll(slices.Collect(maps.Values(s.agents)))
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	slices.SortFunc(out, func(a, b helpdesk.Agent) int { return strings.Compare(a.Name+"#"+a.ID, b.Name+"#"+b.ID) })
	if out == nil {
		out = []helpdesk.Agent{}
	}
	return out, nil
}

// ListChannels returns every channel, by id.
func (s *Store) ListChannels(ctx context.Context) ([]helpdesk.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := copyAll(slices.Collect(maps.Values(s.channels)))
	if err != nil {
		return nil, fmt.Errorf("list channels: %w", err)
	}
	slices.SortFunc(out, func(a, b helpdesk.Channel) int { return strings.Compare(a.ID, b.ID) })
	if out == nil {
		out = []helpdesk.Channel{}
	}
	return out, nil
}

// GetTeam reads a team.
func (s *Store) GetTeam(ctx context.Context, id string) (helpdesk.Team, error) {
	return get(s, s.teams, "team", id)
}

// ListAudit returns up to limit audit entries, newest first, after the
// position `after`; next is "" at the end of the trail.
func (s *Store) ListAudit(ctx context.Context, after string, limit int32) ([]helpdesk.AuditEntry, string, error) {
	if after != "" && !store.ValidPosition(after) {
		return nil, "", helpdesk.Errorf(helpdesk.EInvalid, "invalid_cursor", "not a position of the audit trail")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := slices.Sorted(maps.Keys(s.audit))
	slices.Reverse(keys)
	out := []helpdesk.AuditEntry{}
	next := ""
	for _, k := range keys {
		if after != "" && k >= after {
			continue
		}
		if int32(len(out)) == limit {
			next = store.AuditSortKey(out[len(out)-1])
			break
		}
		e := s.audit[k]
		e.Before, e.After = slices.Clone(e.Before), slices.Clone(e.After)
		out = append(out, e)
	}
	return out, next, nil
}
