package wire

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
)

// RedriveConfig configures the redrive of the Meta deliveries kept for
// pages and numbers not served (infra/redrive, `make redrive`): the
// stack's table, ingest queue and mail bucket, as the webhooks have them.
type RedriveConfig struct {
	boot.Common
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
	MailBucket     string `env:"MAIL_BUCKET,required"`
	DryRun         bool
}

// Redrive builds the redrive over both Meta webhooks, each built as its
// function builds it (MetaWebhook), so a kept delivery is taken exactly as
// a new one after its signature check. It reads no secret.
func Redrive(c RedriveConfig, cfg aws.Config, log *slog.Logger) (*webhook.Redrive, error) {
	var hooks []*webhook.Meta
	for _, p := range []helpdesk.ChannelKind{helpdesk.ChannelMessenger, helpdesk.ChannelWhatsApp} {
		h, err := MetaWebhook(MetaWebhookConfig{Common: c.Common, Product: string(p), IngestQueueURL: c.IngestQueueURL,
			MailBucket: c.MailBucket, ChannelTTL: time.Minute}, cfg, log)
		if err != nil {
			return nil, fmt.Errorf("redrive: %w", err)
		}
		hooks = append(hooks, h)
	}
	// Kept deliveries are written without a checksum: reading them is no
	// cause for the SDK's "no supported checksum" line on every one.
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.DisableLogOutputChecksumValidationSkipped = true })
	return &webhook.Redrive{Kept: &s3files.Folder{Bucket: s3files.Bucket{Client: client, Name: c.MailBucket}, Objects: client},
		Webhooks: hooks, DryRun: c.DryRun, Log: log}, nil
}
