package auth_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/golang-jwt/jwt/v5"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/auth"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The template's user pool on moto: a user signs in through the template's
// app client and both its tokens verify; the same user's tokens from a
// second app client are refused. Moto's tokens name the AWS host as their
// issuer, while moto serves the keys, so the verifier gets both.
func TestVerifyTokensOfTheTemplatesUserPool(t *testing.T) {
	cfg, st := testbed.UserPools(t)
	poolID, clientID := st.UserPools["UserPool"], st.UserPoolClients["UserPoolClient"]
	if poolID == "" || clientID == "" {
		t.Fatalf("stack = %+v, want UserPool and UserPoolClient", st)
	}
	const email, password = "ana@acme.example", "Correct-Horse-9-battery"
	tok := testbed.CognitoUser(t, cfg, poolID, clientID, email, password)

	// The issuer the token names is the one template.yaml gives API
	// Gateway's authorizer: https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}.
	issuer := testbed.CognitoIssuer(cfg, poolID)
	var seen jwt.RegisteredClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tok.AccessToken, &seen); err != nil {
		t.Fatal(err)
	}
	if seen.Issuer != issuer {
		t.Fatalf("token iss = %q, want %q", seen.Issuer, issuer)
	}

	v, err := auth.New(t.Context(), auth.Config{Issuer: issuer, ClientID: clientID, JWKSURL: testbed.CognitoJWKSURL(t, poolID)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	access, err := v.Verify(ctx, "Bearer "+tok.AccessToken)
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	if access.Sub != tok.Sub || access.Username != tok.Username || access.TokenUse != "access" {
		t.Errorf("access identity = %+v, want sub %s username %s", access, tok.Sub, tok.Username)
	}
	id, err := v.Verify(ctx, "Bearer "+tok.IDToken)
	if err != nil {
		t.Fatalf("ID token: %v", err)
	}
	if id.Sub != tok.Sub || id.Email != email || id.TokenUse != "id" {
		t.Errorf("ID identity = %+v, want sub %s email %s", id, tok.Sub, email)
	}

	// A second app client of the same pool: same keys, same issuer, another
	// audience.
	other, err := cip.NewFromConfig(cfg).CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId: &poolID, ClientName: aws.String("other"),
		ExplicitAuthFlows: []ciptypes.ExplicitAuthFlowsType{ciptypes.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth},
	})
	if err != nil {
		t.Fatal(err)
	}
	otherTok := testbed.CognitoSignIn(t, cfg, poolID, aws.ToString(other.UserPoolClient.ClientId), email, password)
	for name, bearer := range map[string]string{"access": otherTok.AccessToken, "id": otherTok.IDToken} {
		_, err := v.Verify(ctx, bearer)
		if helpdesk.ErrorCode(err) != helpdesk.EUnauthorised || helpdesk.ErrorReason(err) != auth.ReasonWrongAudience {
			t.Errorf("%s token of another client: err = %v, want %s", name, err, auth.ReasonWrongAudience)
		}
	}

	// A verifier of another pool (another issuer) refuses them.
	wrongPool, err := auth.New(t.Context(), auth.Config{Issuer: testbed.CognitoIssuer(cfg, "us-east-1_other"),
		ClientID: clientID, JWKSURL: testbed.CognitoJWKSURL(t, poolID)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wrongPool.Verify(ctx, tok.AccessToken); helpdesk.ErrorReason(err) != auth.ReasonWrongIssuer {
		t.Errorf("token of another pool: err = %v, want %s", err, auth.ReasonWrongIssuer)
	}
}
