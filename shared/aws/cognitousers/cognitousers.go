// Package cognitousers is the stack's Cognito user pool as the admin use
// cases see it (admin.Directory): invite a user by email, disable and
// enable their sign-in.
package cognitousers

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/stackdesk/stackdesk/shared/app/admin"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Client is the subset of the Cognito client the pool uses.
type Client interface {
	AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, opts ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminGetUser(ctx context.Context, in *cip.AdminGetUserInput, opts ...func(*cip.Options)) (*cip.AdminGetUserOutput, error)
	AdminDisableUser(ctx context.Context, in *cip.AdminDisableUserInput, opts ...func(*cip.Options)) (*cip.AdminDisableUserOutput, error)
	AdminEnableUser(ctx context.Context, in *cip.AdminEnableUserInput, opts ...func(*cip.Options)) (*cip.AdminEnableUserOutput, error)
}

// Pool is one user pool whose users sign in with their email.
type Pool struct {
	Client Client
	PoolID string
}

var _ admin.Directory = (*Pool)(nil)

// Invite creates a user with email as their username and verified email,
// and has Cognito email them a temporary password. A user the pool has
// already is admin.ErrUserExists, with their sub.
func (p *Pool) Invite(ctx context.Context, email string) (string, error) {
	out, err := p.Client.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:             &p.PoolID,
		Username:               &email,
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
		UserAttributes: []types.AttributeType{
			{Name: aws.String("email"), Value: &email},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	var exists *types.UsernameExistsException
	if errors.As(err, &exists) {
		u, gerr := p.Client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &p.PoolID, Username: &email})
		if gerr != nil {
			return "", fmt.Errorf("read existing pool user %s: %w", email, classify(gerr))
		}
		return sub(u.UserAttributes), fmt.Errorf("pool user %s: %w", email, admin.ErrUserExists)
	}
	if err != nil {
		return "", fmt.Errorf("create pool user %s: %w", email, classify(err))
	}
	if s := sub(out.User.Attributes); s != "" {
		return s, nil
	}
	return "", fmt.Errorf("create pool user %s: the pool returned no sub", email)
}

// Disable stops the user signing in (tokens already issued run out; the
// desk refuses them at once on its own record).
func (p *Pool) Disable(ctx context.Context, email string) error {
	_, err := p.Client.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &p.PoolID, Username: &email})
	return ignoreMissing("disable", email, err)
}

// Enable lets a disabled user sign in again.
func (p *Pool) Enable(ctx context.Context, email string) error {
	_, err := p.Client.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &p.PoolID, Username: &email})
	return ignoreMissing("enable", email, err)
}

// ignoreMissing: a user the pool does not have (a seeded agent who never
// signed in) has no sign-in to stop or start.
func ignoreMissing(op, email string, err error) error {
	var missing *types.UserNotFoundException
	if err == nil || errors.As(err, &missing) {
		return nil
	}
	return fmt.Errorf("%s pool user %s: %w", op, email, classify(err))
}

func sub(attrs []types.AttributeType) string {
	for _, a := range attrs {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

// classify maps the pool's refusals to the error vocabulary: a bad address
// is the caller's, throttling asks to retry, the rest stays internal.
func classify(err error) error {
	var (
		invalid  *types.InvalidParameterException
		throttle *types.TooManyRequestsException
		limit    *types.LimitExceededException
	)
	switch {
	case errors.As(err, &invalid):
		return fmt.Errorf("%w: %v", helpdesk.Errorf(helpdesk.EInvalid, "invalid_email", "email: the user pool refused it"), err)
	case errors.As(err, &throttle), errors.As(err, &limit):
		return fmt.Errorf("%w: %v", helpdesk.Errorf(helpdesk.EUnavailable, "user_pool_busy", "the user pool is busy, retry"), err)
	}
	return err
}
