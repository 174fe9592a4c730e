package helpdesk

import (
	"encoding/json"
	"time"
)

// AuditKind names what an admin changed.
type AuditKind string

const (
	AuditSettings AuditKind = "settings" // pipelines, categories, tenant defaults
	AuditChannel  AuditKind = "channel"
	AuditUser     AuditKind = "user"
	AuditTeam     AuditKind = "team"
)

// AuditAction is what happened to it.
type AuditAction string

const (
	AuditCreate AuditAction = "create"
	AuditUpdate AuditAction = "update"
	AuditDelete AuditAction = "delete"
)

// AuditEntry records one settings change: who made it, when, to what, and
// the value before and after (the JSON clients see, so secrets and user-pool
// identities, which never serialise, never reach the trail). It is written
// in the same transaction as the change it records.
type AuditEntry struct {
	ID       string          `json:"id"`
	At       time.Time       `json:"at"`
	ActorID  string          `json:"actor_id"`
	Kind     AuditKind       `json:"kind"`
	EntityID string          `json:"entity_id"`
	Action   AuditAction     `json:"action"`
	Before   json.RawMessage `json:"before,omitempty"` // absent for a create
	After    json.RawMessage `json:"after,omitempty"`  // absent for a delete
}

// Write is one settings item's change: Before is the value read (nil for a
// create), After the value written (nil for a delete). The store conditions
// the write on Before's version.
type Write[T any] struct {
	Before, After *T
}

// AdminChange is an admin's change of the desk's settings with its audit
// entries, written by the store in one transaction (store.CommitAdmin):
// every item conditioned on the version its Before has (or on not existing
// yet), so two admins editing at once never silently overwrite each other.
type AdminChange struct {
	Settings *Write[Settings]
	Channels []Write[Channel]
	Agents   []Write[Agent]
	Teams    []Write[Team]
	Audit    []AuditEntry
}
