package secrets_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/secrets"
)

// The source reads a real secret from moto's Secrets Manager over HTTP,
// caches it, picks up a rotation after the TTL and keeps the last good
// value when a refresh fails.
func TestMetaSourceAgainstSecretsManager(t *testing.T) {
	ctx := context.Background()
	sm := secretsmanager.NewFromConfig(testbed.AWS(t, "SECRETS_MANAGER"))
	name := testbed.Name(t)
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: &name, SecretString: aws.String(
		`{"app_secret":"s1","verify_token":"v1","access_tokens":{"messenger:42":"page-token"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	src := &secrets.MetaSource{Client: sm, SecretID: *out.ARN, TTL: time.Minute, Now: func() time.Time { return now }}

	app, verify, err := src.MetaSecrets(ctx)
	if err != nil || app != "s1" || verify != "v1" {
		t.Fatalf("MetaSecrets = %q, %q, %v", app, verify, err)
	}
	if tok, err := src.AccessToken(ctx, "messenger:42"); err != nil || tok != "page-token" {
		t.Fatalf("AccessToken = %q, %v", tok, err)
	}
	if _, err := src.AccessToken(ctx, "whatsapp:7"); !helpdesk.IsCode(err, helpdesk.EInvalid) {
		t.Fatalf("unknown channel: %v, want EInvalid", err)
	}

	if _, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: out.ARN,
		SecretString: aws.String(`{"app_secret":"s2","verify_token":"v2"}`)}); err != nil {
		t.Fatal(err)
	}
	if app, _, _ := src.MetaSecrets(ctx); app != "s1" {
		t.Fatalf("within the TTL: app secret %q, want the cached s1", app)
	}
	now = now.Add(61 * time.Second)
	if app, _, _ := src.MetaSecrets(ctx); app != "s2" {
		t.Fatalf("after the TTL: app secret %q, want the rotated s2", app)
	}

	if _, err := sm.DeleteSecret(ctx, &secretsmanager.DeleteSecretInput{SecretId: out.ARN, ForceDeleteWithoutRecovery: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(time.Hour)
	if app, _, err := src.MetaSecrets(ctx); err != nil || app != "s2" {
		t.Fatalf("refresh failing: %q, %v; want the last good value", app, err)
	}
	fresh := &secrets.MetaSource{Client: sm, SecretID: *out.ARN}
	if _, _, err := fresh.MetaSecrets(ctx); err == nil {
		t.Fatal("a source that never read the secret must fail when it cannot")
	}
}
