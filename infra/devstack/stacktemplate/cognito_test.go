package stacktemplate_test

import (
	"reflect"
	"strings"
	"testing"

	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"gopkg.in/yaml.v3"

	"github.com/stackdesk/stackdesk"
	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
)

func TestTemplateUserPool(t *testing.T) {
	tpl := parseTemplate(t)
	pools, err := tpl.UserPools()
	if err != nil {
		t.Fatal(err)
	}
	if len(pools) != 1 || pools[0].LogicalID != "UserPool" {
		t.Fatalf("user pools = %+v, want UserPool only", pools)
	}
	in := pools[0].Create
	if in.PoolName != nil {
		t.Errorf("PoolName = %q, want it left to the caller", *in.PoolName)
	}
	// Agents sign in with their email address as the username, any case.
	if !reflect.DeepEqual(in.UsernameAttributes, []ciptypes.UsernameAttributeType{ciptypes.UsernameAttributeTypeEmail}) || in.AliasAttributes != nil {
		t.Errorf("username attributes %v, alias %v", in.UsernameAttributes, in.AliasAttributes)
	}
	if c := in.UsernameConfiguration; c == nil || c.CaseSensitive == nil || *c.CaseSensitive {
		t.Errorf("usernames must be case-insensitive: %+v", c)
	}
	if c := in.AdminCreateUserConfig; c == nil || !c.AllowAdminCreateUserOnly {
		t.Errorf("only admins may create users: %+v", c)
	}
	pp := in.Policies.PasswordPolicy
	if pp.MinimumLength == nil || *pp.MinimumLength < 12 || !pp.RequireLowercase || !pp.RequireUppercase || !pp.RequireNumbers {
		t.Errorf("password policy = %+v", pp)
	}
	// Retained: deleting the stack or replacing the pool must not delete
	// the agents' users.
	var doc struct {
		Resources map[string]struct {
			DeletionPolicy      string `yaml:"DeletionPolicy"`
			UpdateReplacePolicy string `yaml:"UpdateReplacePolicy"`
		} `yaml:"Resources"`
		Outputs map[string]yaml.Node `yaml:"Outputs"`
	}
	if err := yaml.Unmarshal(stackdesk.Template, &doc); err != nil {
		t.Fatal(err)
	}
	if r := doc.Resources["UserPool"]; r.DeletionPolicy != "Retain" || r.UpdateReplacePolicy != "Retain" {
		t.Errorf("UserPool policies = %+v, want Retain", r)
	}
	for _, o := range []string{"UserPoolId", "UserPoolClientId"} {
		if _, ok := doc.Outputs[o]; !ok {
			t.Errorf("no output %s", o)
		}
	}
}

func TestTemplateUserPoolClient(t *testing.T) {
	tpl := parseTemplate(t)
	clients, err := tpl.UserPoolClients()
	if err != nil {
		t.Fatal(err)
	}
	if len(clients) != 1 || clients[0].LogicalID != "UserPoolClient" || clients[0].UserPool != "UserPool" {
		t.Fatalf("clients = %+v, want UserPoolClient of UserPool", clients)
	}
	in := clients[0].Create
	if in.GenerateSecret {
		t.Error("the console's client is public: no secret")
	}
	// The console signs in with USER_PASSWORD_AUTH and refreshes; admin
	// password sign-in needs IAM credentials (tests, operators).
	want := []ciptypes.ExplicitAuthFlowsType{
		ciptypes.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
		ciptypes.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
		ciptypes.ExplicitAuthFlowsTypeAllowAdminUserPasswordAuth,
	}
	if !reflect.DeepEqual(in.ExplicitAuthFlows, want) {
		t.Errorf("auth flows = %v, want %v", in.ExplicitAuthFlows, want)
	}
	u := in.TokenValidityUnits
	if in.AccessTokenValidity == nil || *in.AccessTokenValidity != 1 || u == nil || u.AccessToken != ciptypes.TimeUnitsTypeHours {
		t.Errorf("access token validity %v %+v, want 1 hour", in.AccessTokenValidity, u)
	}
	if in.RefreshTokenValidity != 30 || u.RefreshToken != ciptypes.TimeUnitsTypeDays {
		t.Errorf("refresh token validity %d %s, want 30 days", in.RefreshTokenValidity, u.RefreshToken)
	}
	if in.PreventUserExistenceErrors != ciptypes.PreventUserExistenceErrorTypesEnabled {
		t.Errorf("PreventUserExistenceErrors = %s", in.PreventUserExistenceErrors)
	}
	// Signing out really signs out: the console revokes its refresh token.
	if in.EnableTokenRevocation == nil || !*in.EnableTokenRevocation {
		t.Errorf("EnableTokenRevocation = %v, want true", in.EnableTokenRevocation)
	}
}

// The HTTP API defines the agents' JWT authorizer without making it the
// default: the webhooks authenticate their callers themselves (provider
// signatures), and every route that names an authorizer names this one.
func TestTemplateHttpApiAuthorizer(t *testing.T) {
	tpl := parseTemplate(t)
	p := props(t, tpl, "HttpApi")
	a, _ := p["Auth"].(map[string]any)
	if _, ok := a["DefaultAuthorizer"]; ok {
		t.Errorf("HttpApi has a default authorizer: %v", a["DefaultAuthorizer"])
	}
	authorizers, _ := a["Authorizers"].(map[string]any)
	jwtAuth, _ := authorizers["AgentJwt"].(map[string]any)
	want := map[string]any{
		"IdentitySource": "$request.header.Authorization",
		"JwtConfiguration": map[string]any{
			"issuer":   map[string]any{"Fn::Sub": "https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}"},
			"audience": []any{map[string]any{"Ref": "UserPoolClient"}},
		},
	}
	if !reflect.DeepEqual(jwtAuth, want) {
		t.Errorf("AgentJwt = %v, want %v", jwtAuth, want)
	}
	webhooks := map[string]bool{"/forms/{channelId}": true, "/messenger": true, "/whatsapp": true}
	for _, id := range tpl.ByType("AWS::Serverless::Function") {
		events, _ := props(t, tpl, id)["Events"].(map[string]any)
		for name, e := range events {
			e, _ := e.(map[string]any)
			if e["Type"] != "HttpApi" {
				continue
			}
			ep, _ := e["Properties"].(map[string]any)
			path, _ := ep["Path"].(string)
			auth, hasAuth := ep["Auth"].(map[string]any)
			switch {
			case webhooks[path] && hasAuth:
				t.Errorf("%s.%s (%s) is a webhook but has Auth %v", id, name, ep["Path"], auth)
			case path == "/api/openapi.yaml":
				// The API's contract is public: it says how to sign in. No
				// Auth at all: with no default authorizer, SAM refuses
				// Authorizer NONE (`sam validate` without --lint fails).
				if hasAuth {
					t.Errorf("%s.%s (%s) has Auth %v, want none", id, name, path, auth)
				}
			case strings.HasPrefix(path, "/api/") && auth["Authorizer"] != "AgentJwt":
				t.Errorf("%s.%s (%s) authorizer = %v, want AgentJwt", id, name, path, auth["Authorizer"])
			case hasAuth && auth["Authorizer"] != "AgentJwt":
				t.Errorf("%s.%s authorizer = %v, want AgentJwt", id, name, auth["Authorizer"])
			}
		}
	}
}

func TestUserPoolsRefuseWhatCannotBeEmulated(t *testing.T) {
	for name, yml := range map[string]string{
		"unknown pool property":   "Resources:\n  P: {Type: AWS::Cognito::UserPool, Properties: {LambdaConfig: {PreSignUp: x}}}\n",
		"unknown nested property": "Resources:\n  P: {Type: AWS::Cognito::UserPool, Properties: {Policies: {PasswordPolicy: {PasswordHistorySize: 3}}}}\n",
		"MFA required":            "Resources:\n  P: {Type: AWS::Cognito::UserPool, Properties: {MfaConfiguration: \"ON\"}}\n",
		"intrinsic attribute":     "Resources:\n  P: {Type: AWS::Cognito::UserPool, Properties: {UsernameAttributes: !Ref Attrs}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			tpl, err := stacktemplate.Parse([]byte(yml))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tpl.UserPools(); err == nil {
				t.Fatal("want an error")
			}
		})
	}
	for name, yml := range map[string]string{
		"pool not a Ref":         "Resources:\n  P: {Type: AWS::Cognito::UserPool}\n  C: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: us-east-1_x}}\n",
		"Ref of another type":    "Resources:\n  P: {Type: AWS::S3::Bucket}\n  C: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref P}}\n",
		"unknown client setting": "Resources:\n  P: {Type: AWS::Cognito::UserPool}\n  C: {Type: AWS::Cognito::UserPoolClient, Properties: {UserPoolId: !Ref P, CallbackURLs: [x]}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			tpl, err := stacktemplate.Parse([]byte(yml))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tpl.UserPoolClients(); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}
