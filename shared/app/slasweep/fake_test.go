package slasweep_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// tickets is what the fake model reads and writes: both stores.
type tickets interface {
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	Commit(ctx context.Context, c ticket.Change) error
	DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) ([]string, string, error)
}

var (
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	t0    = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
)

// model stands in for the ticket model's check (ticket.CheckSLA through
// the desk), as its contract has it: read the ticket, record the warning
// and the breach that are due, each once, in a change conditioned on the
// version read, move NextCheckAt on; on a lost race read and decide again.
// It counts its calls and what it recorded, per ticket.
type model struct {
	st   tickets
	fail func(id string, call int) error // nil: never

	mu       sync.Mutex
	calls    map[string]int
	warned   map[string]int
	breached map[string]int
}

func newModel(st tickets) *model {
	return &model{st: st, calls: map[string]int{}, warned: map[string]int{}, breached: map[string]int{}}
}

func (m *model) CheckSLA(ctx context.Context, id string, now time.Time) error {
	m.mu.Lock()
	m.calls[id]++
	call := m.calls[id]
	m.mu.Unlock()
	if m.fail != nil {
		if err := m.fail(id, call); err != nil {
			return err
		}
	}
	for range 10 {
		t, err := m.st.GetTicketHeader(ctx, id)
		if err != nil {
			return err
		}
		if t.SLA == nil || t.SLA.NextCheckAt.IsZero() || t.SLA.NextCheckAt.After(now) {
			return nil // nothing due: another run did it
		}
		after := t
		after.Version++
		sla := *t.SLA
		sla.Targets = append([]helpdesk.SLATarget(nil), t.SLA.Targets...)
		tg := &sla.Targets[0]
		warn := tg.WarnedAt.IsZero() && !tg.WarnAt.IsZero() && !tg.WarnAt.After(now)
		breach := tg.BreachedAt.IsZero() && !tg.DueAt.After(now)
		if warn {
			tg.WarnedAt = now
		}
		if breach {
			tg.BreachedAt = now
		}
		sla.NextCheckAt = time.Time{}
		switch {
		case tg.WarnedAt.IsZero() && !tg.WarnAt.IsZero():
			sla.NextCheckAt = tg.WarnAt
		case tg.BreachedAt.IsZero():
			sla.NextCheckAt = tg.DueAt
		}
		after.SLA = &sla
		err = m.st.Commit(ctx, ticket.Change{Tickets: []ticket.Write{{Before: &t, After: &after}}})
		if errors.Is(err, ticket.ErrVersionChanged) || errors.Is(err, ticket.ErrContention) {
			continue
		}
		if err != nil {
			return err
		}
		m.mu.Lock()
		if warn {
			m.warned[id]++
		}
		if breach {
			m.breached[id]++
		}
		m.mu.Unlock()
		return nil
	}
	return fmt.Errorf("ticket %s kept changing", id)
}

// open commits a new ticket whose first-response target warns at warn
// (zero: no warning) and is due at due.
func open(t *testing.T, st tickets, id string, warn, due time.Time) {
	t.Helper()
	next := due
	if !warn.IsZero() {
		next = warn
	}
	tk := helpdesk.Ticket{ID: id, Subject: "Order " + id, Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
		Type: helpdesk.TypeEmailOther, ChannelID: "email:support", ChannelKind: helpdesk.ChannelEmail, ContactID: "c-" + id,
		CreatedAt: t0, UpdatedAt: t0, LastCustomerMessageAt: t0, Version: 1,
		SLA: &helpdesk.SLA{PolicyID: "standard", NextCheckAt: next, Targets: []helpdesk.SLATarget{
			{Kind: helpdesk.SLAFirstResponse, StartedAt: t0, WarnAt: warn, DueAt: due}}}}
	if err := st.Commit(context.Background(), ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
		t.Fatal(err)
	}
}

// clock is a settable clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.now = t; c.mu.Unlock() }
