package wire

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/app/slasweep"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
)

// SLASweepConfig configures sla-sweep (issue 15).
type SLASweepConfig struct {
	Store
	// OutboundQueueURL takes the notification emails of warnings and
	// breaches (the ticket's outbox, flushed after the commit).
	OutboundQueueURL string `env:"OUTBOUND_QUEUE_URL,required"`
}

// SLASweep builds the per-minute sweep of the SLA due-date index.
func SLASweep(c SLASweepConfig, cfg aws.Config, log *slog.Logger) (*slasweep.Service, error) {
	st := c.store(cfg)
	d := &desk.Service{Store: st, Settings: c.settings(st, log), Now: time.Now}
	out := &sqsqueue.Outbound{Client: sqs.NewFromConfig(cfg), QueueURL: c.OutboundQueueURL}
	return &slasweep.Service{
		Store:   st,
		Checker: &slaChecker{desk: d, store: st, out: out, log: log},
		Now:     time.Now,
		Log:     log,
	}, nil
}

// slaChecker is the desk's CheckSLA, then the committed change's
// notification emails published (the outbox relay publishes them if this
// fails: the change is committed either way).
type slaChecker struct {
	desk  *desk.Service
	store outbox.Store
	out   outbox.Publisher
	log   *slog.Logger
}

func (c *slaChecker) CheckSLA(ctx context.Context, id string, now time.Time) error {
	t, err := c.desk.CheckSLA(ctx, id, now)
	if err != nil {
		return err
	}
	if len(t.Outbox) > 0 {
		if err := outbox.Flush(ctx, c.store, c.out, t.ID, t.Outbox); err != nil {
			c.log.WarnContext(ctx, "SLA check committed, publish left to the relay", "ticket_id", t.ID, "error", err)
		}
	}
	return nil
}
