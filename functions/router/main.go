// Command router consumes the ingest queue and applies each inbound message
// to a ticket.
package main

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/channel/meta/media"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/platform/secrets"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

type config struct {
	boot.Common
	secrets.MetaConfig
	graphapi.Config         // Messenger and WhatsApp
	OutboundQueueURL string `env:"OUTBOUND_QUEUE_URL,required"`
	// ReplyTokenSecret verifies the signed reply-to addresses of our mail.
	ReplyTokenSecret string `env:"REPLY_TOKEN_SECRET,required"`
	// WhatsApp media are downloaded through the Graph API into the bucket.
	MailBucket string `env:"MAIL_BUCKET,required"`
}

func main() {
	ctx := context.Background()
	var cfg config
	awsCfg, log := boot.Init(ctx, &cfg)

	st := store.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	tokens := cfg.MetaSource(awsCfg)
	svc := &ingest.Service{
		Store:    st,
		Threader: threading.ByChannel([]byte(cfg.ReplyTokenSecret)),
		Settings: &settings.Cache{Source: st, TTL: settings.DefaultTTL, Now: time.Now, Log: log},
		Now:      time.Now,
		Log:      log,
		Router:   &routing.Router{Store: st, Now: time.Now, Rand: rand.IntN},
		Outbound: &sqsqueue.Outbound{Client: sqs.NewFromConfig(awsCfg), QueueURL: cfg.OutboundQueueURL},
		Media: &media.WhatsApp{
			Graph: cfg.Client(), Tokens: tokens,
			Files: &s3files.Bucket{Client: s3.NewFromConfig(awsCfg), Name: cfg.MailBucket}, Log: log,
		},
	}
	lambda.Start(lambdax.RouterHandler(svc, log))
}
