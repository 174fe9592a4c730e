package lambdax

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MailReceiver takes the mail SES delivers (receive.Handler).
type MailReceiver interface {
	Receive(ctx context.Context, d receive.Delivery) error
}

// EmailInboundHandler is the email-inbound function's handler: it hands
// each record of an SES receipt event to r. Any failure fails the event,
// so Lambda retries it (SES invokes asynchronously); r is idempotent.
func EmailInboundHandler[R MailReceiver](r R, _ *slog.Logger) func(context.Context, events.SimpleEmailEvent) error {
	return func(ctx context.Context, ev events.SimpleEmailEvent) error {
		ctx, cancel := Bound(ctx, 0) // fail (and be retried) before Lambda's timeout
		defer cancel()
		var errs []error
		for _, rec := range ev.Records {
			if err := r.Receive(ctx, delivery(rec.SES)); err != nil {
				errs = append(errs, fmt.Errorf("ses message %s: %w", rec.SES.Mail.MessageID, err))
			}
		}
		return errors.Join(errs...)
	}
}

func delivery(ses events.SimpleEmailService) receive.Delivery {
	return receive.Delivery{
		ID:         ses.Mail.MessageID,
		Recipients: ses.Receipt.Recipients,
		Timestamp:  ses.Mail.Timestamp,
		Verdicts:   helpdesk.Verdicts{Spam: ses.Receipt.SpamVerdict.Status, Virus: ses.Receipt.VirusVerdict.Status},
	}
}
