// Package testbed gives integration tests real emulators: an AWS config
// pointed at DynamoDB Local and moto (or LocalStack) by the standard
// AWS_ENDPOINT_URL_* variables, and fresh per-test resources created from
// template.yaml. Without endpoints, tests skip with a clear message; `make
// test` starts the emulators and sets STACKDESK_REQUIRE_EMULATORS=1 so that
// in CI they run instead of skipping. Scenarios that need only a store run
// on the in-memory store always and on DynamoDB Local too (EachStore).
package testbed

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk"
	"github.com/stackdesk/stackdesk/infra/devstack/emulate"
	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
)

func endpoint(service string) string {
	if v := os.Getenv("AWS_ENDPOINT_URL_" + service); v != "" {
		return v
	}
	return os.Getenv("AWS_ENDPOINT_URL")
}

// AWS returns a configuration for the emulators, or skips the test when the
// given services have no endpoint.
func AWS(t testing.TB, services ...string) aws.Config {
	t.Helper()
	for _, s := range services {
		if endpoint(s) == "" {
			msg := "integration test needs an emulator: AWS_ENDPOINT_URL_" + s + " is not set (run `make test`, which starts DynamoDB Local and moto)"
			if os.Getenv("STACKDESK_REQUIRE_EMULATORS") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	cfg, err := awsconfig.LoadDefaultConfig(context.Background(),
		awsconfig.WithRegion(region),
		awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", "test", "")),
	)
	if err != nil {
		t.Fatalf("aws config: %v", err)
	}
	return cfg
}

var (
	tplOnce sync.Once
	tpl     *stacktemplate.Template
	tplErr  error
)

// Template returns the parsed template.yaml.
func Template(t testing.TB) *stacktemplate.Template {
	t.Helper()
	tplOnce.Do(func() { tpl, tplErr = stacktemplate.Parse(stackdesk.Template) })
	if tplErr != nil {
		t.Fatal(tplErr)
	}
	return tpl
}

// Name returns a unique resource name prefix for one test.
func Name(t testing.TB) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return "sd-" + hex.EncodeToString(b)
}

// Table creates a fresh table from the template on DynamoDB Local and drops
// it when the test ends.
func Table(t testing.TB) (*dynamodb.Client, string) {
	t.Helper()
	cfg := AWS(t, "DYNAMODB")
	db := emulate.NewDynamoDB(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := emulate.CreateTable(ctx, db, Template(t), Name(t)+"-table", false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &name}) })
	return db, name
}
