// Package settings gives functions the tenant's admin settings
// (helpdesk.Settings) from the table, cached per function instance, and
// creates the defaults the first time a stack reads them.
package settings

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Source reads and bootstraps the stored settings; *store.Store is one.
type Source interface {
	// GetSettings returns the stored settings, or an ENotFound error when
	// there are none yet.
	GetSettings(ctx context.Context) (helpdesk.Settings, error)
	// CreateSettingsIfMissing stores s unless settings exist; existing
	// settings are kept and are not an error.
	CreateSettingsIfMissing(ctx context.Context, s helpdesk.Settings) error
}

// DefaultTTL is how long a read is served before the table is read again:
// an admin's change reaches every function within a minute, for one read
// per function instance per minute.
const DefaultTTL = 60 * time.Second

// Cache serves the settings from memory, reading the table at most once per
// TTL (DefaultTTL when zero), so a change is seen by every function at most
// TTL after it is written.
//
// If the table holds no settings yet (a new stack), the first Get writes
// helpdesk.DefaultSettings() with CreateSettingsIfMissing and serves what
// the table then holds; concurrent first readers in several functions are
// safe because only one create can succeed.
//
// If a refresh fails, Get keeps serving the last good value (logged, and
// retried on the next Get), so a table hiccup does not fail requests; with
// no previous value it returns the error.
//
// A Cache is safe for concurrent use; one refresh runs at a time and
// concurrent callers wait for it. The settings returned share their maps
// and slices with the cache: treat them as read-only.
type Cache struct {
	Source Source
	TTL    time.Duration
	Now    func() time.Time
	Log    *slog.Logger

	mu     sync.Mutex
	cached helpdesk.Settings
	readAt time.Time
	have   bool
}

// Get returns the settings, from memory while they are younger than the TTL.
func (c *Cache) Get(ctx context.Context) (helpdesk.Settings, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if c.have && now.Sub(c.readAt) < c.ttl() {
		return c.cached, nil
	}
	s, err := c.read(ctx)
	if err != nil {
		if c.have {
			c.log().WarnContext(ctx, "settings refresh failed, serving the last good settings",
				"version", c.cached.Version, "age", now.Sub(c.readAt).String(), "error", err)
			return c.cached, nil
		}
		return helpdesk.Settings{}, err
	}
	c.cached, c.readAt, c.have = s, now, true
	return s, nil
}

// read reads the settings, creating the defaults if there are none.
func (c *Cache) read(ctx context.Context) (helpdesk.Settings, error) {
	s, err := c.Source.GetSettings(ctx)
	if !helpdesk.IsCode(err, helpdesk.ENotFound) {
		return s, err
	}
	if err := c.Source.CreateSettingsIfMissing(ctx, helpdesk.DefaultSettings()); err != nil {
		return helpdesk.Settings{}, fmt.Errorf("create default settings: %w", err)
	}
	c.log().InfoContext(ctx, "no settings in the table: default settings created, unless another function did first")
	// Read back rather than serve our defaults: another function may have
	// created the settings first, and an admin may already have changed them.
	return c.Source.GetSettings(ctx)
}

func (c *Cache) ttl() time.Duration {
	if c.TTL > 0 {
		return c.TTL
	}
	return DefaultTTL
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Cache) log() *slog.Logger {
	if c.Log != nil {
		return c.Log
	}
	return slog.Default()
}

// Fixed serves the same settings always: for tests and tools that do not
// read the table.
type Fixed helpdesk.Settings

// Get returns the settings.
func (f Fixed) Get(context.Context) (helpdesk.Settings, error) { return helpdesk.Settings(f), nil }
