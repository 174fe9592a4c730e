package emulate_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/stackdesk/stackdesk/infra/devstack/emulate"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// The template's user pool and app client land on moto with the settings
// that decide sign-in, and creating them again reuses them.
func TestCreateUserPoolsFromTheTemplate(t *testing.T) {
	cfg, st := testbed.UserPools(t)
	c := cip.NewFromConfig(cfg)
	ctx := context.Background()
	poolID, clientID := st.UserPools["UserPool"], st.UserPoolClients["UserPoolClient"]

	pool, err := c.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	p := pool.UserPool
	if aws.ToString(p.Name) != st.Prefix+"-UserPool" {
		t.Errorf("pool name = %s", aws.ToString(p.Name))
	}
	if !reflect.DeepEqual(p.UsernameAttributes, []ciptypes.UsernameAttributeType{ciptypes.UsernameAttributeTypeEmail}) {
		t.Errorf("username attributes = %v", p.UsernameAttributes)
	}
	if p.AdminCreateUserConfig == nil || !p.AdminCreateUserConfig.AllowAdminCreateUserOnly {
		t.Errorf("admin create user config = %+v", p.AdminCreateUserConfig)
	}
	if pp := p.Policies.PasswordPolicy; pp == nil || aws.ToInt32(pp.MinimumLength) != 12 || !pp.RequireUppercase {
		t.Errorf("password policy = %+v", pp)
	}

	cl, err := c.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})
	if err != nil {
		t.Fatal(err)
	}
	client := cl.UserPoolClient
	if client.ClientSecret != nil {
		t.Error("the client has a secret")
	}
	if len(client.ExplicitAuthFlows) != 3 || client.PreventUserExistenceErrors != ciptypes.PreventUserExistenceErrorTypesEnabled {
		t.Errorf("client = flows %v, prevent user existence errors %s", client.ExplicitAuthFlows, client.PreventUserExistenceErrors)
	}

	again := &emulate.Stack{Prefix: st.Prefix}
	if err := emulate.CreateUserPools(ctx, c, testbed.Template(t), again); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.UserPools, st.UserPools) || !reflect.DeepEqual(again.UserPoolClients, st.UserPoolClients) {
		t.Errorf("second run created %v %v, want the first run's %v %v", again.UserPools, again.UserPoolClients, st.UserPools, st.UserPoolClients)
	}
}
