// Command outbound consumes the outbound queue and sends each job: agent
// replies and notification emails through SES.
package main

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/stackdesk/stackdesk/shared/boot"
	"github.com/stackdesk/stackdesk/shared/outbound"
	"github.com/stackdesk/stackdesk/shared/store"
)

type config struct {
	boot.Common
	boot.Meta // Messenger and WhatsApp through the Graph API
	// ReplyTokenSecret signs the reply-to address of every reply.
	ReplyTokenSecret string `env:"REPLY_TOKEN_SECRET,required"`
	MailBucket       string `env:"MAIL_BUCKET,required"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)

	s := &outbound.Sender{
		Store:       store.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName),
		SES:         sesv2.NewFromConfig(awsCfg),
		Files:       s3.NewFromConfig(awsCfg),
		Bucket:      cfg.MailBucket,
		Tenant:      cfg.Tenant,
		TokenSecret: []byte(cfg.ReplyTokenSecret),
		Now:         time.Now,
		Log:         log,
		Graph:       cfg.Graph(),
		Tokens:      cfg.Secrets(awsCfg),
	}
	lambda.Start(s.HandleSQS)
}
