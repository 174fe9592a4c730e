package localrun

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

// DefaultNotificationSender is the local stack's notification sender (the
// stack parameter NotificationSender on AWS).
const DefaultNotificationSender = "notifications@acme.example"

// notificationSender is the address agents' notifications come from.
func (c Config) notificationSender() string {
	if c.NotificationSender != "" {
		return c.NotificationSender
	}
	return DefaultNotificationSender
}

// verifySenders makes each address a verified identity of the emulated SES,
// as the tenant verifies its domain (or addresses) on AWS: SES, and moto,
// refuse mail from an unverified sender. Verifying again is harmless.
func (r *Runner) verifySenders(ctx context.Context, addresses ...string) error {
	for _, a := range addresses {
		_, err := r.ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: &a})
		var exists *sestypes.AlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			return fmt.Errorf("verify %s in SES: %w", a, err)
		}
	}
	return nil
}
