package emulate

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
)

// CreateUserPools creates the template's user pools and app clients named
// after st.Prefix (pool <prefix>-<logical id>, client <logical id>) and
// records their ids in st.UserPools and st.UserPoolClients. Cognito does not
// keep pool names unique, so an existing pool or client of that name is
// looked up and reused rather than created twice.
//
// Tokens issued on moto name the real AWS host as their issuer
// (https://cognito-idp.<region>.amazonaws.com/<pool id>) while the keys are
// served by moto at <endpoint>/<pool id>/.well-known/jwks.json: a verifier
// is configured with both separately.
func CreateUserPools(ctx context.Context, c *cip.Client, tpl *stacktemplate.Template, st *Stack) error {
	pools, err := tpl.UserPools()
	if err != nil {
		return err
	}
	clients, err := tpl.UserPoolClients()
	if err != nil {
		return err
	}
	if st.UserPools == nil {
		st.UserPools = map[string]string{}
	}
	if st.UserPoolClients == nil {
		st.UserPoolClients = map[string]string{}
	}
	for _, p := range pools {
		name := st.Prefix + "-" + p.LogicalID
		id, err := findUserPool(ctx, c, name)
		if err != nil {
			return err
		}
		if id == "" {
			in := *p.Create
			in.PoolName = &name
			out, err := c.CreateUserPool(ctx, &in)
			if err != nil {
				return fmt.Errorf("create user pool %s: %w", name, err)
			}
			id = aws.ToString(out.UserPool.Id)
		}
		st.UserPools[p.LogicalID] = id
	}
	for _, cl := range clients {
		poolID, ok := st.UserPools[cl.UserPool]
		if !ok {
			return fmt.Errorf("user pool client %s: user pool %s not created", cl.LogicalID, cl.UserPool)
		}
		id, err := findUserPoolClient(ctx, c, poolID, cl.LogicalID)
		if err != nil {
			return err
		}
		if id == "" {
			in := *cl.Create
			in.UserPoolId, in.ClientName = &poolID, aws.String(cl.LogicalID)
			out, err := c.CreateUserPoolClient(ctx, &in)
			if err != nil {
				return fmt.Errorf("create user pool client %s in %s: %w", cl.LogicalID, poolID, err)
			}
			id = aws.ToString(out.UserPoolClient.ClientId)
		}
		st.UserPoolClients[cl.LogicalID] = id
	}
	return nil
}

func findUserPool(ctx context.Context, c *cip.Client, name string) (string, error) {
	pages := cip.NewListUserPoolsPaginator(c, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list user pools: %w", err)
		}
		for _, p := range page.UserPools {
			if aws.ToString(p.Name) == name {
				return aws.ToString(p.Id), nil
			}
		}
	}
	return "", nil
}

func findUserPoolClient(ctx context.Context, c *cip.Client, poolID, name string) (string, error) {
	pages := cip.NewListUserPoolClientsPaginator(c, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, MaxResults: aws.Int32(60)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return "", fmt.Errorf("list app clients of %s: %w", poolID, err)
		}
		for _, cl := range page.UserPoolClients {
			if aws.ToString(cl.ClientName) == name {
				return aws.ToString(cl.ClientId), nil
			}
		}
	}
	return "", nil
}

// DeleteUserPools deletes the pools st records, their clients and users
// with them (deletion protection is not carried to the emulator).
func DeleteUserPools(ctx context.Context, c *cip.Client, st *Stack) error {
	for id, poolID := range st.UserPools {
		if _, err := c.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: aws.String(poolID)}); err != nil {
			return fmt.Errorf("delete user pool %s (%s): %w", id, poolID, err)
		}
	}
	return nil
}

// CreatePoolUser creates a confirmed user in a pool (email verified,
// permanent password, no invitation sent) and returns its sub. The
// password must meet the pool's policy.
func CreatePoolUser(ctx context.Context, c *cip.Client, poolID, email, password string) (string, error) {
	out, err := c.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId:    &poolID,
		Username:      &email,
		MessageAction: ciptypes.MessageActionTypeSuppress,
		UserAttributes: []ciptypes.AttributeType{
			{Name: aws.String("email"), Value: &email},
			{Name: aws.String("email_verified"), Value: aws.String("true")},
		},
	})
	var exists *ciptypes.UsernameExistsException
	var attrs []ciptypes.AttributeType
	switch {
	case errors.As(err, &exists):
		// The SDK retries a call whose answer was lost (moto slow under
		// load): the first attempt made the user. Read it instead.
		u, gerr := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &email})
		if gerr != nil {
			return "", fmt.Errorf("create pool user %s: %w (then: %w)", email, err, gerr)
		}
		attrs = u.UserAttributes
	case err != nil:
		return "", fmt.Errorf("create pool user %s: %w", email, err)
	default:
		attrs = out.User.Attributes
	}
	if _, err := c.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: &poolID, Username: &email, Password: &password, Permanent: true,
	}); err != nil {
		return "", fmt.Errorf("set password of %s: %w", email, err)
	}
	for _, a := range attrs {
		if aws.ToString(a.Name) == "sub" {
			return aws.ToString(a.Value), nil
		}
	}
	return "", fmt.Errorf("create pool user %s: no sub", email)
}
