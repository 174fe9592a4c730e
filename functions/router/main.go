// Command router consumes the ingest queue and applies each inbound message
// to a ticket.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/shared/boot"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ingest"
	"github.com/stackdesk/stackdesk/shared/store"
)

func main() {
	ctx := context.Background()
	var cfg boot.Common
	awsCfg, log := boot.Init(ctx, &cfg)

	svc := &ingest.Service{
		Store:     store.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName),
		Threader:  ingest.SubmissionThreader,
		Pipelines: helpdesk.DefaultPipelines(),
		Now:       time.Now,
		Log:       log,
	}
	lambda.Start(svc.HandleSQS)
}
