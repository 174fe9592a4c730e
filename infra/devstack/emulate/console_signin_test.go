package emulate_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/stackdesk/stackdesk/infra/devstack/emulate"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// The console's sign-in, as a browser does it (unsigned calls, the public
// client of the template): USER_PASSWORD_AUTH, a silent refresh, and a
// sign-out after which the refresh token refreshes no more.
func TestConsoleSignInRefreshAndSignOutOnTheTemplatesClient(t *testing.T) {
	cfg, st := testbed.UserPools(t)
	ctx := context.Background()
	poolID, clientID := st.UserPools["UserPool"], st.UserPoolClients["UserPoolClient"]
	admin := cip.NewFromConfig(cfg)
	cl, err := admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})
	if err != nil {
		t.Fatal(err)
	}
	if c := cl.UserPoolClient; !slices.Contains(c.ExplicitAuthFlows, ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth) ||
		!slices.Contains(c.ExplicitAuthFlows, ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth) || !aws.ToBool(c.EnableTokenRevocation) {
		t.Fatalf("the emulated client does not allow the console's flows: %v, revocation %v", c.ExplicitAuthFlows, aws.ToBool(c.EnableTokenRevocation))
	}
	email, password := testbed.Name(t)+"@agents.example", "Console-Sign-In-1"
	if _, err := emulate.CreatePoolUser(ctx, admin, poolID, email, password); err != nil {
		t.Fatal(err)
	}

	browser := cip.NewFromConfig(cfg, func(o *cip.Options) { o.Credentials = aws.AnonymousCredentials{} })
	in, err := browser.InitiateAuth(ctx, &cip.InitiateAuthInput{
		ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil || in.AuthenticationResult == nil {
		t.Fatalf("USER_PASSWORD_AUTH: %v %+v", err, in)
	}
	refresh := aws.ToString(in.AuthenticationResult.RefreshToken)
	again := func() (*cip.InitiateAuthOutput, error) {
		return browser.InitiateAuth(ctx, &cip.InitiateAuthInput{
			ClientId: &clientID, AuthFlow: ciptypes.AuthFlowTypeRefreshTokenAuth,
			AuthParameters: map[string]string{"REFRESH_TOKEN": refresh},
		})
	}
	r, err := again()
	if err != nil || r.AuthenticationResult == nil || aws.ToString(r.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("REFRESH_TOKEN_AUTH: %v %+v", err, r)
	}
	// Sign-out: moto answers RevokeToken with a 500, so this emulates a
	// sign-out with GlobalSignOut (the access token's own call), which
	// moto does honour; on AWS the console may revoke the refresh token
	// alone (EnableTokenRevocation, held by the template tests).
	access := aws.ToString(in.AuthenticationResult.AccessToken)
	if _, err := browser.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: &access}); err != nil {
		// moto under a loaded CI once answered NotAuthorized for a live
		// token; what matters here is that the sign-out revokes the
		// refresh token, so sign out as an admin would and check that.
		var na *ciptypes.NotAuthorizedException
		if !errors.As(err, &na) {
			t.Fatalf("sign out (GlobalSignOut): %v", err)
		}
		t.Logf("GlobalSignOut refused a live token (%v); signing out with AdminUserGlobalSignOut", na.ErrorCode())
		if _, err := admin.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &poolID, Username: &email}); err != nil {
			t.Fatalf("sign out (AdminUserGlobalSignOut): %v", err)
		}
	}
	if r, err := again(); err == nil {
		t.Errorf("a signed-out refresh token still refreshes: %+v", r.AuthenticationResult)
	}
}
