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

	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/aws/sesmail"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/platform/secrets"
	"github.com/stackdesk/stackdesk/shared/store"
)

type config struct {
	boot.Common
	secrets.MetaConfig
	graphapi.Config // Messenger and WhatsApp
	// ReplyTokenSecret signs the reply-to address of every reply.
	ReplyTokenSecret string `env:"REPLY_TOKEN_SECRET,required"`
	MailBucket       string `env:"MAIL_BUCKET,required"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)

	s := &send.Sender{
		Store:       store.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName),
		Mailer:      &sesmail.Mailer{Client: sesv2.NewFromConfig(awsCfg)},
		Files:       &s3files.Bucket{Client: s3.NewFromConfig(awsCfg), Name: cfg.MailBucket},
		Tenant:      cfg.Tenant,
		TokenSecret: []byte(cfg.ReplyTokenSecret),
		Now:         time.Now,
		Log:         log,
		Graph:       cfg.Client(),
		Tokens:      cfg.MetaSource(awsCfg),
	}
	lambda.Start(lambdax.OutboundHandler(s, log))
}
