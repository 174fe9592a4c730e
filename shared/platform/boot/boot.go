// Package boot is what every function's main does first: read its typed
// configuration from the environment, build the JSON logger and load the AWS
// configuration, exiting with every problem listed if any of it fails.
package boot

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/stackdesk/stackdesk/shared/platform/config"
)

// Common is the configuration every function has (set in template.yaml Globals).
type Common struct {
	Tenant    string `env:"TENANT,required"`
	TableName string `env:"TABLE_NAME,required"`
	// Deadlines bound every AWS call and request (timeouts.go).
	Deadlines
}

// TenantName returns the tenant the function serves.
func (c *Common) TenantName() string { return c.Tenant }

// Config is a pointer to a function's configuration struct embedding Common.
type Config interface{ TenantName() string }

// Init fills cfg from the environment and returns the AWS configuration and
// a logger carrying the tenant. Endpoints come from AWS_ENDPOINT_URL_* alone,
// so the same binary talks to AWS or to the local emulators.
func Init(ctx context.Context, cfg Config) (aws.Config, *slog.Logger) {
	log := lambdacontext.NewLogger()
	if err := config.Load(cfg, os.LookupEnv); err != nil {
		log.Error("bad configuration", "error", err)
		os.Exit(1)
	}
	log = log.With("tenant", cfg.TenantName())
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		log.Error("load AWS configuration", "error", err)
		os.Exit(1)
	}
	if d, ok := cfg.(interface{ Timeouts() Deadlines }); ok {
		awsCfg = WithTimeouts(awsCfg, d.Timeouts())
	}
	return awsCfg, log
}
