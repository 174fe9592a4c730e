// Package admin is the admins' use cases: the desk's settings (pipelines,
// categories, defaults), its channels, users and teams. Each change is read,
// decided, and committed with its audit entry (who, when, the value before
// and after) in one transaction conditioned on the version read, so two
// admins editing at once never silently overwrite each other: without an
// If-Match the change is decided again on what the other wrote; with one,
// it is refused as stale. Inviting and deactivating users also go to the
// user pool, behind the Directory port.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Store is what the admin use cases read and write.
type Store interface {
	GetSettings(ctx context.Context) (helpdesk.Settings, error)
	ListChannels(ctx context.Context) ([]helpdesk.Channel, error)
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
	ListAgents(ctx context.Context) ([]helpdesk.Agent, error)
	GetAgent(ctx context.Context, id string) (helpdesk.Agent, error)
	GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error)
	ListTeams(ctx context.Context) ([]helpdesk.Team, error)
	GetTeam(ctx context.Context, id string) (helpdesk.Team, error)
	// CommitAdmin writes a change and its audit entries in one
	// transaction; ErrVersionChanged or ErrExists when another writer got
	// there first.
	CommitAdmin(ctx context.Context, c helpdesk.AdminChange) error
}

// Directory is the stack's user pool: where users sign in.
type Directory interface {
	// Invite creates a user who signs in with email and sends them their
	// invitation, returning their sub. A user the pool already has is
	// ErrUserExists, returned with that user's sub.
	Invite(ctx context.Context, email string) (sub string, err error)
	// Disable stops a user signing in; Enable lets them again. A user the
	// pool does not have is no error (nothing to stop).
	Disable(ctx context.Context, email string) error
	Enable(ctx context.Context, email string) error
}

// ErrUserExists: the pool already has a user with that email.
var ErrUserExists = errors.New("the user pool already has this user")

// ErrStale refuses a change decided on a version the item no longer has.
var ErrStale = helpdesk.Errorf(helpdesk.EPrecondition, "version_mismatch", "it changed since you read it; read it again and reapply your change")

// errBusy: the item kept changing under us (extremely unlikely for settings).
var errBusy = helpdesk.Errorf(helpdesk.EUnavailable, "busy", "the item is being changed by others; retry")

// rounds bounds how often a change without If-Match is decided again.
const rounds = 5

// Service runs the admin use cases.
type Service struct {
	Store     Store
	Directory Directory
	Now       func() time.Time
	// NewID makes ids of new users, teams and audit entries (helpdesk.NewID
	// when nil).
	NewID func() string
}

func (s *Service) newID() string {
	if s.NewID != nil {
		return s.NewID()
	}
	return helpdesk.NewID()
}

// Forbidden refuses a principal who may not change settings.
func Forbidden(p helpdesk.Principal) error {
	if p.CanManageSettings() {
		return nil
	}
	return helpdesk.Errorf(helpdesk.EForbidden, "settings_forbidden", "only admins and users allowed to manage settings may change them")
}

// edit runs one change: read, check the If-Match (nil: none), decide,
// commit; a lost race is decided again on what won, unless the caller
// named the version they decided on (then it is stale).
func edit[T any](ctx context.Context, ifMatch *int64, read func() (T, int64, error), decide func(T) (T, helpdesk.AdminChange, error),
	commit func(context.Context, helpdesk.AdminChange) error) (T, error) {
	var zero T
	for range rounds {
		before, version, err := read()
		if err != nil {
			return zero, err
		}
		// Decided first, so an invalid change is a 400 whatever its If-Match.
		after, change, err := decide(before)
		if err != nil {
			return zero, err
		}
		if ifMatch != nil && *ifMatch != version {
			return zero, fmt.Errorf("at version %d, not %d: %w", version, *ifMatch, ErrStale)
		}
		if len(change.Audit) == 0 {
			return after, nil // nothing changed: nothing written, nothing recorded
		}
		err = commit(ctx, change)
		if lost(err) {
			if ifMatch != nil {
				return zero, fmt.Errorf("%w (%v)", ErrStale, err)
			}
			continue
		}
		if err != nil {
			return zero, err
		}
		return after, nil
	}
	return zero, errBusy
}

// lost reports whether a commit lost a race to another writer.
func lost(err error) bool {
	return errors.Is(err, ticket.ErrVersionChanged) || errors.Is(err, ticket.ErrContention) || helpdesk.ErrorReason(err) == "exists"
}

// entry records one change: before and after as clients see them (nil
// for a create or a delete); callers leave unchanged values unrecorded.
func (s *Service) entry(actor string, kind helpdesk.AuditKind, id string, before, after any) (helpdesk.AuditEntry, error) {
	e := helpdesk.AuditEntry{ID: s.newID(), At: s.Now().UTC(), ActorID: actor, Kind: kind, EntityID: id}
	var err error
	if before != nil {
		if e.Before, err = json.Marshal(before); err != nil {
			return e, fmt.Errorf("audit %s %s: %w", kind, id, err)
		}
	}
	if after != nil {
		if e.After, err = json.Marshal(after); err != nil {
			return e, fmt.Errorf("audit %s %s: %w", kind, id, err)
		}
	}
	switch {
	case before == nil:
		e.Action = helpdesk.AuditCreate
	case after == nil:
		e.Action = helpdesk.AuditDelete
	default:
		e.Action = helpdesk.AuditUpdate
	}
	return e, nil
}

// AuditPage is a page of the audit trail, newest first.
type AuditPage struct {
	Entries []helpdesk.AuditEntry `json:"entries"`
	Next    string                `json:"next,omitempty"`
}
