package stacktemplate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// UserPool is a Cognito user pool definition ready to create under a
// chosen name (Create.PoolName is left for the caller).
type UserPool struct {
	LogicalID string
	Create    *cip.CreateUserPoolInput
}

// UserPoolClient is an app client definition; UserPool is the logical id
// of its pool, resolved to a pool id at creation (Create.UserPoolId and
// Create.ClientName are left for the caller).
type UserPoolClient struct {
	LogicalID string
	UserPool  string
	Create    *cip.CreateUserPoolClientInput
}

// userPoolProps are the pool properties that decide how users sign in and
// what their tokens hold: they are carried to the emulator.
type userPoolProps struct {
	UsernameAttributes     []ciptypes.UsernameAttributeType
	AliasAttributes        []ciptypes.AliasAttributeType
	UsernameConfiguration  *struct{ CaseSensitive *bool }
	AutoVerifiedAttributes []ciptypes.VerifiedAttributeType
	Schema                 []struct {
		Name              string
		AttributeDataType ciptypes.AttributeDataType
		Required          *bool
		Mutable           *bool
	}
	AdminCreateUserConfig  *struct{ AllowAdminCreateUserOnly bool }
	AccountRecoverySetting *struct {
		RecoveryMechanisms []struct {
			Name     ciptypes.RecoveryOptionNameType
			Priority int32
		}
	}
	// MfaConfiguration is checked, not carried: OPTIONAL behaves locally
	// as OFF for users who have not enrolled; ON cannot be emulated.
	MfaConfiguration string
	EnabledMfas      []string
	Policies         *struct {
		PasswordPolicy *struct {
			MinimumLength                 *int32
			RequireLowercase              bool
			RequireUppercase              bool
			RequireNumbers                bool
			RequireSymbols                bool
			TemporaryPasswordValidityDays int32
		}
	}
}

// userPoolIgnored are the pool properties left out locally: names and tags
// (the emulated stack has its own), deletion protection and tier, messaging
// (nothing is sent), and optional MFA, which never challenges a user who
// has not enrolled (test users do not; ON is refused).
var userPoolIgnored = map[string]bool{
	"UserPoolName": true, "UserPoolTags": true, "DeletionProtection": true, "UserPoolTier": true,
	"EmailConfiguration": true, "EmailVerificationMessage": true, "EmailVerificationSubject": true,
	"VerificationMessageTemplate": true, "SmsConfiguration": true, "SmsAuthenticationMessage": true,
	"SmsVerificationMessage": true,
}

// userPoolClientProps are the app client properties carried to the emulator.
type userPoolClientProps struct {
	UserPoolID                 any `json:"UserPoolId"`
	GenerateSecret             bool
	ExplicitAuthFlows          []ciptypes.ExplicitAuthFlowsType
	AccessTokenValidity        *int32
	IdTokenValidity            *int32
	RefreshTokenValidity       *int32
	AuthSessionValidity        *int32
	TokenValidityUnits         *struct{ AccessToken, IdToken, RefreshToken ciptypes.TimeUnitsType }
	PreventUserExistenceErrors ciptypes.PreventUserExistenceErrorTypes
	EnableTokenRevocation      *bool
	ReadAttributes             []string
	WriteAttributes            []string
}

var userPoolClientIgnored = map[string]bool{"ClientName": true}

// UserPools returns the template's Cognito user pools, sorted by logical id.
func (t *Template) UserPools() ([]UserPool, error) {
	var pools []UserPool
	for _, id := range t.ByType("AWS::Cognito::UserPool") {
		var p userPoolProps
		if err := decodeProps(t.Resources[id].Properties, &p, userPoolIgnored); err != nil {
			return nil, fmt.Errorf("user pool %s: %w", id, err)
		}
		if p.MfaConfiguration == "ON" {
			return nil, fmt.Errorf("user pool %s: MfaConfiguration ON is not emulated (a test user could not sign in with a password)", id)
		}
		in := &cip.CreateUserPoolInput{
			UsernameAttributes:     p.UsernameAttributes,
			AliasAttributes:        p.AliasAttributes,
			AutoVerifiedAttributes: p.AutoVerifiedAttributes,
		}
		if c := p.UsernameConfiguration; c != nil {
			in.UsernameConfiguration = &ciptypes.UsernameConfigurationType{CaseSensitive: c.CaseSensitive}
		}
		for _, s := range p.Schema {
			in.Schema = append(in.Schema, ciptypes.SchemaAttributeType{
				Name: strPtr(s.Name), AttributeDataType: s.AttributeDataType, Required: s.Required, Mutable: s.Mutable})
		}
		if c := p.AdminCreateUserConfig; c != nil {
			in.AdminCreateUserConfig = &ciptypes.AdminCreateUserConfigType{AllowAdminCreateUserOnly: c.AllowAdminCreateUserOnly}
		}
		if r := p.AccountRecoverySetting; r != nil {
			in.AccountRecoverySetting = &ciptypes.AccountRecoverySettingType{}
			for _, m := range r.RecoveryMechanisms {
				prio := m.Priority
				in.AccountRecoverySetting.RecoveryMechanisms = append(in.AccountRecoverySetting.RecoveryMechanisms,
					ciptypes.RecoveryOptionType{Name: m.Name, Priority: &prio})
			}
		}
		if p.Policies != nil && p.Policies.PasswordPolicy != nil {
			pp := p.Policies.PasswordPolicy
			in.Policies = &ciptypes.UserPoolPolicyType{PasswordPolicy: &ciptypes.PasswordPolicyType{
				MinimumLength:                 pp.MinimumLength,
				RequireLowercase:              pp.RequireLowercase,
				RequireUppercase:              pp.RequireUppercase,
				RequireNumbers:                pp.RequireNumbers,
				RequireSymbols:                pp.RequireSymbols,
				TemporaryPasswordValidityDays: pp.TemporaryPasswordValidityDays,
			}}
		}
		pools = append(pools, UserPool{LogicalID: id, Create: in})
	}
	return pools, nil
}

// UserPoolClients returns the template's app clients, sorted by logical id.
// Each must name its pool with `!Ref <UserPool>` of this template.
func (t *Template) UserPoolClients() ([]UserPoolClient, error) {
	var clients []UserPoolClient
	for _, id := range t.ByType("AWS::Cognito::UserPoolClient") {
		var p userPoolClientProps
		if err := decodeProps(t.Resources[id].Properties, &p, userPoolClientIgnored); err != nil {
			return nil, fmt.Errorf("user pool client %s: %w", id, err)
		}
		ref, _ := p.UserPoolID.(map[string]any)
		pool, _ := ref["Ref"].(string)
		if r, ok := t.Resources[pool]; !ok || r.Type != "AWS::Cognito::UserPool" {
			return nil, fmt.Errorf("user pool client %s: UserPoolId must be !Ref <UserPool>, got %v", id, p.UserPoolID)
		}
		in := &cip.CreateUserPoolClientInput{
			GenerateSecret:             p.GenerateSecret,
			ExplicitAuthFlows:          p.ExplicitAuthFlows,
			AccessTokenValidity:        p.AccessTokenValidity,
			IdTokenValidity:            p.IdTokenValidity,
			AuthSessionValidity:        p.AuthSessionValidity,
			PreventUserExistenceErrors: p.PreventUserExistenceErrors,
			EnableTokenRevocation:      p.EnableTokenRevocation,
			ReadAttributes:             p.ReadAttributes,
			WriteAttributes:            p.WriteAttributes,
		}
		if p.RefreshTokenValidity != nil {
			in.RefreshTokenValidity = *p.RefreshTokenValidity
		}
		if u := p.TokenValidityUnits; u != nil {
			in.TokenValidityUnits = &ciptypes.TokenValidityUnitsType{AccessToken: u.AccessToken, IdToken: u.IdToken, RefreshToken: u.RefreshToken}
		}
		clients = append(clients, UserPoolClient{LogicalID: id, UserPool: pool, Create: in})
	}
	return clients, nil
}

// decodeProps decodes the carried properties into dst (a pointer to a
// struct whose fields are named as CloudFormation names them) and refuses a
// property that is neither carried nor ignored, so a new one that changes
// sign-in is not silently dropped. An intrinsic where a literal is needed,
// or an unknown nested property, fails too: neither can be emulated.
func decodeProps(raw json.RawMessage, dst any, ignored map[string]bool) error {
	var props map[string]json.RawMessage
	if err := json.Unmarshal(raw, &props); err != nil {
		return err
	}
	var fields map[string]any
	b, _ := json.Marshal(dst)
	_ = json.Unmarshal(b, &fields)
	carried := map[string]json.RawMessage{}
	var unknown []string
	for k, v := range props {
		switch _, ok := fields[k]; {
		case ok:
			carried[k] = v
		case !ignored[k]:
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("properties %v are not emulated (carry them in stacktemplate, or list them as ignored)", unknown)
	}
	b, _ = json.Marshal(carried)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(dst)
}
