package testbed

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/stackdesk/stackdesk/infra/devstack/emulate"
)

// CognitoService is the service id of Cognito user pools in
// AWS_ENDPOINT_URL_<service> (the SDK's "Cognito Identity Provider").
const CognitoService = "COGNITO_IDENTITY_PROVIDER"

// UserPools creates the template's user pools and app clients on moto under
// a fresh prefix and deletes them when the test ends. The returned stack
// has only UserPools and UserPoolClients (by logical id). Without the
// emulator the test skips (fails under STACKDESK_REQUIRE_EMULATORS).
func UserPools(t testing.TB) (aws.Config, *emulate.Stack) {
	t.Helper()
	cfg := AWS(t, CognitoService)
	c := cip.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := &emulate.Stack{Prefix: Name(t)}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := emulate.DeleteUserPools(ctx, c, st); err != nil {
			t.Logf("cleanup: %v", err)
		}
	})
	if err := emulate.CreateUserPools(ctx, c, Template(t), st); err != nil {
		t.Fatal(err)
	}
	return cfg, st
}

// CognitoIssuer is the issuer a pool's tokens name: the AWS host, on moto
// too (https://cognito-idp.<region>.amazonaws.com/<pool id>).
func CognitoIssuer(cfg aws.Config, poolID string) string {
	return "https://cognito-idp." + cfg.Region + ".amazonaws.com/" + poolID
}

// CognitoJWKSURL is where the emulator serves a pool's public keys:
// <endpoint>/<pool id>/.well-known/jwks.json.
func CognitoJWKSURL(t testing.TB, poolID string) string {
	t.Helper()
	ep := endpoint(CognitoService)
	if ep == "" {
		t.Fatal("no endpoint for " + CognitoService)
	}
	return strings.TrimSuffix(ep, "/") + "/" + poolID + "/.well-known/jwks.json"
}

// CognitoTokens are a signed-in user's tokens.
type CognitoTokens struct {
	// Sub is the user's sub (its immutable id); Username its Cognito
	// username (in a pool that signs in by email, a generated id).
	Sub, Username string
	AccessToken   string
	IDToken       string
	RefreshToken  string
}

// CognitoUser creates a confirmed user (email verified, permanent password,
// no invitation sent) in the pool and signs it in through the app client
// with ADMIN_USER_PASSWORD_AUTH. The password must meet the pool's policy.
func CognitoUser(t testing.TB, cfg aws.Config, poolID, clientID, email, password string) CognitoTokens {
	t.Helper()
	c := cip.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sub, err := emulate.CreatePoolUser(ctx, c, poolID, email, password)
	if err != nil {
		t.Fatal(err)
	}
	tok := CognitoSignIn(t, cfg, poolID, clientID, email, password)
	if sub != tok.Sub {
		t.Fatalf("user %s: sub %s at creation, %s at sign-in", email, sub, tok.Sub)
	}
	return tok
}

// CognitoSignIn signs an existing user in through an app client with
// ADMIN_USER_PASSWORD_AUTH and returns its tokens.
func CognitoSignIn(t testing.TB, cfg aws.Config, poolID, clientID, email, password string) CognitoTokens {
	t.Helper()
	c := cip.NewFromConfig(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	auth, err := c.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{
		UserPoolId:     &poolID,
		ClientId:       &clientID,
		AuthFlow:       ciptypes.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": email, "PASSWORD": password},
	})
	if err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	r := auth.AuthenticationResult
	if r == nil {
		t.Fatalf("sign in %s: challenge %s instead of tokens", email, auth.ChallengeName)
	}
	u, err := c.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &email})
	if err != nil {
		t.Fatalf("get user %s: %v", email, err)
	}
	tok := CognitoTokens{
		Username:     aws.ToString(u.Username),
		AccessToken:  aws.ToString(r.AccessToken),
		IDToken:      aws.ToString(r.IdToken),
		RefreshToken: aws.ToString(r.RefreshToken),
	}
	for _, a := range u.UserAttributes {
		if aws.ToString(a.Name) == "sub" {
			tok.Sub = aws.ToString(a.Value)
		}
	}
	if tok.Sub == "" {
		t.Fatalf("user %s has no sub", email)
	}
	return tok
}
