package cognitousers_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/admin"
	"github.com/stackdesk/stackdesk/shared/aws/cognitousers"
)

// On the template's user pool (moto): an invited user exists with their
// email, verified, and a sub; inviting them again answers ErrUserExists
// with the same sub; a disabled user cannot sign in until enabled again;
// disabling a user the pool does not have is no error.
func TestInviteDisableEnable(t *testing.T) {
	cfg, st := testbed.UserPools(t)
	ctx := context.Background()
	client := cip.NewFromConfig(cfg)
	poolID, clientID := st.UserPools["UserPool"], st.UserPoolClients["UserPoolClient"]
	pool := &cognitousers.Pool{Client: client, PoolID: poolID}

	const email, password = "eve@acme.example", "Correct-Horse-9"
	sub, err := pool.Invite(ctx, email)
	if err != nil || sub == "" {
		t.Fatalf("Invite = %q, %v", sub, err)
	}
	u, err := client.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(email)})
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string]string{}
	for _, a := range u.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if attrs["email"] != email || attrs["email_verified"] != "true" || attrs["sub"] != sub || u.UserStatus != ciptypes.UserStatusTypeForceChangePassword {
		t.Fatalf("invited user: %v, status %s", attrs, u.UserStatus)
	}
	again, err := pool.Invite(ctx, email)
	if !errors.Is(err, admin.ErrUserExists) || again != sub {
		t.Fatalf("second Invite = %q, %v; want %q and ErrUserExists", again, err, sub)
	}

	// The user sets their password (here: an admin does it for them).
	if _, err := client.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String(email),
		Password: aws.String(password), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	if tok := testbed.CognitoSignIn(t, cfg, poolID, clientID, email, password); tok.Sub != sub {
		t.Fatalf("signed in as %s, invited %s", tok.Sub, sub)
	}
	if err := pool.Disable(ctx, email); err != nil {
		t.Fatal(err)
	}
	if _, err := client.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID,
		AuthFlow:       ciptypes.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password}}); err == nil {
		t.Fatal("a disabled user signed in")
	}
	if err := pool.Enable(ctx, email); err != nil {
		t.Fatal(err)
	}
	testbed.CognitoSignIn(t, cfg, poolID, clientID, email, password)

	for name, op := range map[string]func(context.Context, string) error{"Disable": pool.Disable, "Enable": pool.Enable} {
		if err := op(ctx, "nobody@acme.example"); err != nil {
			t.Errorf("%s of a user the pool does not have: %v", name, err)
		}
	}
	if _, err := pool.Invite(ctx, "not an email"); err == nil {
		t.Error("the pool accepted an address that is not one")
	}
}
