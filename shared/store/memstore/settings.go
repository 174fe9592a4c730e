package memstore

import (
	"context"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// This file holds the tenant's settings: one value, written whole, guarded
// by its version.

// GetSettings reads the tenant's settings, or ErrNotFound before anything
// created them.
func (s *Store) GetSettings(ctx context.Context) (helpdesk.Settings, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.settings == nil {
		return helpdesk.Settings{}, fmt.Errorf("settings: %w", store.ErrNotFound)
	}
	return copySettings(*s.settings)
}

// PutSettings replaces the settings if they are still at expectVersion (0
// creates them and requires that none exist); the written settings are at
// expectVersion+1. ErrVersionChanged if someone wrote them since,
// ErrNotFound if there are none to replace, and the EInvalid error of
// settings that do not validate, without writing.
func (s *Store) PutSettings(ctx context.Context, set helpdesk.Settings, expectVersion int64) error {
	if err := set.Validate(); err != nil {
		return fmt.Errorf("put settings: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case expectVersion != 0 && s.settings == nil:
		return fmt.Errorf("put settings: %w", store.ErrNotFound)
	case expectVersion == 0 && s.settings != nil, expectVersion != 0 && s.settings.Version != expectVersion:
		return fmt.Errorf("put settings at version %d: %w", expectVersion, store.ErrVersionChanged)
	}
	return s.putSettings(set, expectVersion+1)
}

// CreateSettingsIfMissing writes set as the first settings (version 1)
// unless settings exist, which it keeps (no error). Settings that do not
// validate are refused as in PutSettings.
func (s *Store) CreateSettingsIfMissing(ctx context.Context, set helpdesk.Settings) error {
	if err := set.Validate(); err != nil {
		return fmt.Errorf("create settings: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.settings != nil {
		return nil
	}
	return s.putSettings(set, 1)
}

func (s *Store) putSettings(set helpdesk.Settings, version int64) error {
	c, err := copySettings(set)
	if err != nil {
		return fmt.Errorf("put settings: %w", err)
	}
	c.Version, c.UpdatedAt = version, s.now().UTC()
	s.settings = &c
	return nil
}

// copySettings copies settings as the table's item gives them back:
// pipelines keyed by their id, categories never nil.
func copySettings(set helpdesk.Settings) (helpdesk.Settings, error) {
	c, err := copyOf(set)
	if err != nil {
		return c, err
	}
	byID := make(helpdesk.Pipelines, len(c.Pipelines))
	for _, p := range c.Pipelines {
		byID[p.ID] = p
	}
	c.Pipelines = byID
	if c.Categories == nil {
		c.Categories = []helpdesk.Category{}
	}
	return c, nil
}
