package wire

import (
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/app/desk"
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
		Checker: &slasweep.DeskChecker{Desk: d, Store: st, Out: out, Log: log},
		Now:     time.Now,
		Log:     log,
	}, nil
}
