// Package sesmail sends raw MIME messages through SES (API v2). It tells a
// refusal SES would repeat (an unverified sender, a suspended account) from
// a failure worth retrying (throttling, a server error), so the sender
// records the one on the message and hands the other back to the queue.
package sesmail

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Client is the subset of the SESv2 client the mailer uses.
type Client interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Mailer sends raw messages through SES.
type Mailer struct {
	Client Client
}

// ReasonRefused is the reason of the *helpdesk.Error a refusal comes back as.
const ReasonRefused = "refused_by_ses"

// SendRaw sends raw as it is and returns SES's message id. A refusal SES
// would repeat comes back as a *helpdesk.Error with code helpdesk.EInvalid,
// reason ReasonRefused and SES's answer in its message; any other error is
// SES's, for the caller to retry.
func (m *Mailer) SendRaw(ctx context.Context, raw []byte) (string, error) {
	out, err := m.Client.SendEmail(ctx, &sesv2.SendEmailInput{
		Content: &types.EmailContent{Raw: &types.RawMessage{Data: raw}},
	})
	if refused(err) {
		return "", helpdesk.Errorf(helpdesk.EInvalid, ReasonRefused, "refused by SES: %v", err)
	}
	if err != nil {
		return "", err
	}
	return aws.ToString(out.MessageId), nil
}

// refused reports whether SES refused the message for good (retrying
// would be refused again); throttling and server errors are retried.
func refused(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException",
		"SendingPausedException", "NotFoundException", "BadRequestException":
		return true
	}
	return false
}
