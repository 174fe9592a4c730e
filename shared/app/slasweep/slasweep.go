// Package slasweep warns of SLA targets about to breach and records
// breaches on time (issue 15): run every minute, it reads the tickets whose
// SLA check is due from the sparse due-date index (helpdesk.SLA.NextCheckAt,
// GSI6) and has the ticket model check each one.
//
// On time: a check due at T is found by the first run at or after T, so
// within a minute (the schedule's period) plus the run's own time. Exactly
// once: the sweep only asks; the model records a warning or a breach once
// (WarnedAt, BreachedAt) in a change conditioned on the version it read,
// and moves NextCheckAt on, so a second run, or two runs at once, find
// nothing more to record. A check that fails stays due and is tried again
// by the next run.
package slasweep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Due lists the tickets whose SLA check is due (the store's due-date index).
type Due interface {
	// DueSLAChecks pages through the tickets due at or before now, the
	// earliest first, after the position a previous page returned.
	DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) (ids []string, last string, err error)
}

// Checker makes one ticket's SLA check at now: it reads the ticket, lets
// the ticket model record what is due (ticket.CheckSLA: a warning, a
// breach, each once, with their notifications) and commits the change,
// deciding again on a lost race. It must leave the ticket's NextCheckAt
// after now (or zero) whenever it succeeds, even when nothing was due (a
// stale entry), or the sweep meets the ticket again every minute. A
// ticket gone since it was listed answers helpdesk.ErrNotFound.
type Checker interface {
	CheckSLA(ctx context.Context, ticketID string, now time.Time) error
}

// Service is one run of the sweep.
type Service struct {
	Store   Due
	Checker Checker
	Now     func() time.Time
	Log     *slog.Logger
	// Concurrency bounds the checks in flight (0: DefaultConcurrency).
	Concurrency int
	// Budget stops a run from starting checks after it (0: DefaultBudget),
	// so a run with a backlog ends before the next minute's starts; what it
	// left is still due, and the next run takes it.
	Budget time.Duration
}

const (
	DefaultConcurrency = 8
	DefaultBudget      = 45 * time.Second
	// pageSize is how many due tickets one read of the index returns.
	pageSize = 100
	// maxReported bounds the failures a run's error lists (each is logged).
	maxReported = 5
)

// Sweep runs the checks due now and reports how many tickets it checked.
// A ticket that fails is logged and left due for the next run while the
// others go on; the run's error says how many failed, so the function's
// error metric (and its alarm) sees a run with failures.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	start := s.Now()
	budget := s.Budget
	if budget <= 0 {
		budget = DefaultBudget
	}
	workers := s.Concurrency
	if workers <= 0 {
		workers = DefaultConcurrency
	}
	var (
		mu      sync.Mutex
		checked int
		failed  []error
		wg      sync.WaitGroup
		slots   = make(chan struct{}, workers)
	)
	check := func(id string) {
		defer func() { <-slots; wg.Done() }()
		err := s.Checker.CheckSLA(ctx, id, s.Now())
		mu.Lock()
		defer mu.Unlock()
		switch {
		case errors.Is(err, helpdesk.ErrNotFound): // deleted since it was listed
		case err != nil:
			failed = append(failed, fmt.Errorf("ticket %s: %w", id, err))
			s.Log.ErrorContext(ctx, "SLA check failed; the next run tries again", "ticket_id", id, "error", err)
		default:
			checked++
		}
	}
	var readErr error
	stopped := false
pages:
	for after := ""; ; {
		ids, last, err := s.Store.DueSLAChecks(ctx, start, after, pageSize)
		if err != nil {
			readErr = fmt.Errorf("read the due SLA checks: %w", err)
			break
		}
		for _, id := range ids {
			slots <- struct{}{} // a free slot first: the budget is judged when the check would start
			if ctx.Err() != nil || s.Now().Sub(start) >= budget {
				<-slots
				stopped = true
				break pages
			}
			wg.Add(1)
			go check(id)
		}
		if len(ids) < pageSize || last == "" {
			break
		}
		after = last
	}
	wg.Wait()
	if stopped {
		s.Log.WarnContext(ctx, "SLA sweep stopped at its budget; the next run takes the rest", "checked", checked, "budget", budget)
	}
	return checked, runError(readErr, failed)
}

// runError sums up a run's failures: the read's, and the first few checks'.
func runError(readErr error, failed []error) error {
	if readErr == nil && len(failed) == 0 {
		return nil
	}
	errs := []error{readErr}
	if n := len(failed); n > 0 {
		shown := failed[:min(n, maxReported)]
		errs = append(errs, fmt.Errorf("%d SLA checks failed: %w", n, errors.Join(shown...)))
	}
	return fmt.Errorf("SLA sweep: %w", errors.Join(errs...))
}
