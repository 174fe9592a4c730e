// Package wire builds each function's service from its configuration and
// the AWS configuration: one constructor per function (config → clients →
// service). Each function's main calls its constructor and hands the result
// to a Lambda adapter; the local stack (infra/devstack/localrun) calls the
// same constructors, so what runs locally is what Lambda runs.
package wire

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/google/uuid"

	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/api/auth"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/app/admin"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/app/purge"
	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/aws/cognitousers"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/aws/sesmail"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/channel/meta/media"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/platform/secrets"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// Store is the configuration of a function that reads and writes the
// tenant's table and settings.
type Store struct {
	boot.Common
	// SettingsTTL is how stale the cached settings may be (an admin's change
	// reaches every function within it).
	SettingsTTL time.Duration `env:"SETTINGS_TTL" default:"60s"`
}

func (c Store) store(cfg aws.Config) *store.Store {
	return store.New(dynamodb.NewFromConfig(cfg), c.TableName)
}

func (c Store) settings(st *store.Store, log *slog.Logger) *settings.Cache {
	return &settings.Cache{Source: st, TTL: c.SettingsTTL, Now: time.Now, Log: log}
}

// Meta is the configuration of a function that reads the Meta secret.
type Meta struct {
	secrets.MetaConfig
	// MetaSecretTTL is how long a read secret is used before it is read again.
	MetaSecretTTL time.Duration `env:"META_SECRET_TTL" default:"5m"`
}

func (c Meta) source(cfg aws.Config) *secrets.MetaSource {
	src := c.MetaSource(cfg)
	src.TTL = c.MetaSecretTTL
	return src
}

// FormWebhookConfig configures form-webhook.
type FormWebhookConfig struct {
	Store
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
	// MailBucket keeps the body of a message too large to queue.
	MailBucket string `env:"MAIL_BUCKET"`
}

// FormWebhook builds the web-form webhook (POST /forms/{channelId}).
func FormWebhook(c FormWebhookConfig, cfg aws.Config, log *slog.Logger) (*webhook.Forms, error) {
	st := c.store(cfg)
	var bodies *s3files.Bucket // none without a bucket
	if c.MailBucket != "" {
		bodies = &s3files.Bucket{Client: s3.NewFromConfig(cfg), Name: c.MailBucket}
	}
	return &webhook.Forms{
		Channels: st,
		Queue:    ingestQueue(cfg, c.IngestQueueURL, bodies),
		Settings: c.settings(st, log),
		Now:      time.Now,
		NewID:    uuid.NewString,
		Log:      log,
		// A resend without an idempotency key within 10 minutes is one submission.
		Submissions: st,
	}, nil
}

// MetaWebhookConfig configures meta-webhook, deployed once per product.
type MetaWebhookConfig struct {
	boot.Common
	Meta
	Product        string `env:"META_PRODUCT,required"`
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
	// MailBucket keeps deliveries for pages and numbers not served here
	// (under unknown-channel/), for redrive, and the body of a message too
	// large to queue (under bodies/).
	MailBucket string        `env:"MAIL_BUCKET,required"`
	ChannelTTL time.Duration `env:"CHANNEL_TTL" default:"30s"`
}

// MetaWebhook builds Meta's webhook for one product (Messenger or WhatsApp).
func MetaWebhook(c MetaWebhookConfig, cfg aws.Config, log *slog.Logger) (*webhook.Meta, error) {
	kind := helpdesk.ChannelKind(c.Product)
	if kind != helpdesk.ChannelMessenger && kind != helpdesk.ChannelWhatsApp {
		return nil, fmt.Errorf("META_PRODUCT must be messenger or whatsapp, not %q", c.Product)
	}
	bucket := &s3files.Bucket{Client: s3.NewFromConfig(cfg), Name: c.MailBucket}
	return &webhook.Meta{
		Kind:       kind,
		Secrets:    c.source(cfg),
		Queue:      ingestQueue(cfg, c.IngestQueueURL, bucket),
		Log:        log,
		Channels:   store.New(dynamodb.NewFromConfig(cfg), c.TableName),
		Unknown:    bucket,
		ChannelTTL: c.ChannelTTL,
		Now:        time.Now,
	}, nil
}

// EmailInboundConfig configures email-inbound.
type EmailInboundConfig struct {
	boot.Common
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
	MailBucket     string `env:"MAIL_BUCKET,required"`
	MailPrefix     string `env:"MAIL_PREFIX" default:"inbound/"`
}

// EmailInbound builds the handler of the mail SES stores in the bucket.
func EmailInbound(c EmailInboundConfig, cfg aws.Config, log *slog.Logger) (*receive.Handler, error) {
	st := store.New(dynamodb.NewFromConfig(cfg), c.TableName)
	bucket := &s3files.Bucket{Client: s3.NewFromConfig(cfg), Name: c.MailBucket}
	return &receive.Handler{
		Files:    bucket,
		Channels: st,
		Filtered: st, // the mail that stops here stays findable
		Queue:    ingestQueue(cfg, c.IngestQueueURL, bucket),
		Tenant:   c.Tenant,
		Prefix:   c.MailPrefix,
		Log:      log,
	}, nil
}

// RouterConfig configures router.
type RouterConfig struct {
	Store
	Meta
	graphapi.Config         // Messenger and WhatsApp
	OutboundQueueURL string `env:"OUTBOUND_QUEUE_URL,required"`
	// ReplyTokenSecret verifies the signed reply-to addresses of our mail.
	ReplyTokenSecret string `env:"REPLY_TOKEN_SECRET,required"`
	// WhatsApp media are downloaded through the Graph API into the bucket.
	MailBucket string `env:"MAIL_BUCKET,required"`
}

// Router builds the service that applies inbound messages to tickets and
// routes new ones.
func Router(c RouterConfig, cfg aws.Config, log *slog.Logger) (*ingest.Service, error) {
	st := c.store(cfg)
	bucket := &s3files.Bucket{Client: s3.NewFromConfig(cfg), Name: c.MailBucket}
	return &ingest.Service{
		Store:    st,
		Threader: threading.ByChannel([]byte(c.ReplyTokenSecret)),
		Settings: c.settings(st, log),
		Now:      time.Now,
		Log:      log,
		Router:   &routing.Router{Store: st, Now: time.Now, Rand: rand.IntN},
		Outbound: &sqsqueue.Outbound{Client: sqs.NewFromConfig(cfg), QueueURL: c.OutboundQueueURL},
		Media: &media.WhatsApp{
			Graph: c.Client(), Tokens: c.source(cfg),
			Files: bucket, Log: log,
		},
		Bodies: bucket,
		// A portal message's uploads are checked in the bucket (HeadObject).
		Uploads: &s3files.Links{Bucket: bucket},
	}, nil
}

// OutboundConfig configures outbound.
type OutboundConfig struct {
	boot.Common
	Meta
	graphapi.Config // Messenger and WhatsApp
	// ReplyTokenSecret signs the reply-to address of every reply.
	ReplyTokenSecret string `env:"REPLY_TOKEN_SECRET,required"`
	MailBucket       string `env:"MAIL_BUCKET,required"`
	// NotificationSender is the verified SES identity agents' notification
	// emails come from, whatever the ticket's channel.
	NotificationSender string `env:"NOTIFICATION_SENDER,required"`
	// UnsubscribeURL is the public URL of /unsubscribe (customer
	// notification emails; none are sent without it) and PortalTicketURL
	// the portal's ticket page, "{id}" for the ticket (optional).
	UnsubscribeURL  string `env:"UNSUBSCRIBE_URL"`
	PortalTicketURL string `env:"PORTAL_TICKET_URL"`
	// SurveyURL is the public URL of the satisfaction survey (GET /csat):
	// a closing notification links to it with a signed token (optional).
	SurveyURL string `env:"SURVEY_URL"`
}

// Outbound builds the sender of outbound jobs.
func Outbound(c OutboundConfig, cfg aws.Config, log *slog.Logger) (*send.Sender, error) {
	st := store.New(dynamodb.NewFromConfig(cfg), c.TableName)
	return &send.Sender{
		Store:       st,
		Mailer:      &sesmail.Mailer{Client: sesv2.NewFromConfig(cfg)},
		Files:       &s3files.Bucket{Client: s3.NewFromConfig(cfg), Name: c.MailBucket},
		Tenant:      c.Tenant,
		TokenSecret: []byte(c.ReplyTokenSecret),
		Now:         time.Now,
		Log:         log,
		Graph:       c.Client(),
		Tokens:      c.source(cfg),
		// Agents are emailed from the tenant's sender, whatever the channel.
		NotificationSender: c.NotificationSender,
		Profiles:           c.Client(),
		Contacts:           st,
		CustomerLinks:      send.CustomerLinks{Unsubscribe: c.UnsubscribeURL, Portal: c.PortalTicketURL, Survey: c.SurveyURL},
	}, nil
}

// OutboxRelayConfig configures outbox-relay.
type OutboxRelayConfig struct {
	boot.Common
	OutboundQueueURL string `env:"OUTBOUND_QUEUE_URL,required"`
	// Grace leaves committers time to publish their own jobs first.
	Grace time.Duration `env:"OUTBOX_GRACE" default:"30s"`
}

// OutboxRelay builds the relay that publishes jobs a dead committer left.
func OutboxRelay(c OutboxRelayConfig, cfg aws.Config, log *slog.Logger) (*outbox.Relay, error) {
	return &outbox.Relay{
		Store:     store.New(dynamodb.NewFromConfig(cfg), c.TableName),
		Publisher: &sqsqueue.Outbound{Client: sqs.NewFromConfig(cfg), QueueURL: c.OutboundQueueURL},
		Now:       time.Now,
		Grace:     c.Grace,
		Log:       log,
	}, nil
}

// AgentAPIConfig configures agent-api.
type AgentAPIConfig struct {
	Store
	auth.Config
	OutboundQueueURL string `env:"OUTBOUND_QUEUE_URL,required"`
	// ReplyTokenSecret also keys the API's page cursors (a key derived
	// from it, so the two never sign the same thing).
	ReplyTokenSecret string `env:"REPLY_TOKEN_SECRET,required"`
	// MailBucket holds the files the API signs links to and uploads for.
	MailBucket string `env:"MAIL_BUCKET,required"`
	// UserPoolID is the pool admins invite users to and disable them in.
	UserPoolID string `env:"COGNITO_USER_POOL_ID,required"`
	// IngestQueueURL takes filtered mail an agent makes a ticket after all.
	IngestQueueURL string `env:"INGEST_QUEUE_URL,required"`
	// PortalSecretARN and PortalLinkBase let agents send a customer the
	// portal's sign-in link in a chat conversation (the portal's key,
	// read once at cold start); without them that route answers 503.
	PortalSecretARN string `env:"PORTAL_SECRET_ARN"`
	PortalLinkBase  string `env:"PORTAL_LINK_BASE"`
}

// AgentAPI builds the agent API. It fetches the user pool's signing keys
// once at start, so a wrong issuer or keys URL fails the cold start.
func AgentAPI(c AgentAPIConfig, cfg aws.Config, log *slog.Logger) (*agent.API, error) {
	verifier, err := auth.New(context.Background(), c.Config, auth.WithLogger(log))
	if err != nil {
		return nil, fmt.Errorf("agent API sign-in: %w", err)
	}
	st := c.store(cfg)
	files := s3.NewFromConfig(cfg)
	cursorKey := hmac.New(sha256.New, []byte(c.ReplyTokenSecret))
	cursorKey.Write([]byte("stackdesk/agent-api/cursor"))
	outbound := &sqsqueue.Outbound{Client: sqs.NewFromConfig(cfg), QueueURL: c.OutboundQueueURL}
	var links agent.PortalLinks
	if c.PortalSecretARN != "" {
		ctx, cancel := context.WithTimeout(context.Background(), c.Timeouts().RequestBudget)
		defer cancel()
		p, err := portalLinker(ctx, secretsmanager.NewFromConfig(cfg), c.PortalSecretARN, c.PortalLinkBase, st, outbound, log)
		if err != nil {
			return nil, err
		}
		links = p
	}
	return &agent.API{
		PortalLinks: links,
		Auth: func(ctx context.Context, bearer string) (agent.Token, error) {
			id, err := verifier.Verify(ctx, bearer)
			return agent.Token{Sub: id.Sub, IssuedAt: id.IssuedAt}, err
		},
		Store: st,
		Desk: &desk.Service{Store: st, Settings: c.settings(st, log), Now: time.Now, Router: &routing.Router{Store: st, Now: time.Now, Rand: rand.IntN},
			// A deleted ticket's files, search items and notifications go with it.
			Purger: &purge.Service{Store: st, Files: &s3files.Remover{Client: files, Name: c.MailBucket}, Now: time.Now, Log: log}},
		Outbound:  outbound,
		CursorKey: cursorKey.Sum(nil),
		Log:       log,
		Files:     &s3files.Links{Bucket: &s3files.Bucket{Client: files, Name: c.MailBucket}, Presign: s3.NewPresignClient(files)},
		Admin: &admin.Service{Store: st, Now: time.Now,
			Directory: &cognitousers.Pool{Client: cognitoidentityprovider.NewFromConfig(cfg), PoolID: c.UserPoolID}},
		// Reads raw mail under inbound/, keeps attachments under attachments/promoted/.
		Promoter: &receive.Handler{Files: &s3files.Bucket{Client: files, Name: c.MailBucket}, Channels: st,
			Queue: &sqsqueue.Ingest{Client: sqs.NewFromConfig(cfg), QueueURL: c.IngestQueueURL}, Tenant: c.Tenant,
			Prefix: "inbound/", Log: log},
	}, nil
}

// SearchIndexerConfig configures search-indexer.
type SearchIndexerConfig struct {
	boot.Common
}

// SearchIndexer builds the indexer the table's stream feeds.
func SearchIndexer(c SearchIndexerConfig, cfg aws.Config, _ *slog.Logger) (*index.Service, error) {
	return &index.Service{Store: store.New(dynamodb.NewFromConfig(cfg), c.TableName)}, nil
}

// ingestQueue is the ingest queue's publisher; with a bucket (the
// function's own, not another S3 client), a message too large to queue
// whole has its body kept there (sqsqueue.Bodies).
func ingestQueue(cfg aws.Config, url string, bodies *s3files.Bucket) *sqsqueue.Ingest {
	q := &sqsqueue.Ingest{Client: sqs.NewFromConfig(cfg), QueueURL: url}
	if bodies != nil && bodies.Name != "" { // a nil *Bucket in the interface would not be nil
		q.Bodies = bodies
	}
	return q
}

// SpamCleanupConfig configures spam-cleanup.
type SpamCleanupConfig struct {
	boot.Common
	// MailBucket holds the files purged tickets' messages name.
	MailBucket string `env:"MAIL_BUCKET,required"`
}

// SpamCleanup builds the purge of what TTL removed and the sweep of the
// spam tickets it has not removed yet.
func SpamCleanup(c SpamCleanupConfig, cfg aws.Config, log *slog.Logger) (*purge.Cleanup, error) {
	st := store.New(dynamodb.NewFromConfig(cfg), c.TableName)
	return &purge.Cleanup{
		Service: &purge.Service{Store: st, Files: &s3files.Remover{Client: s3.NewFromConfig(cfg), Name: c.MailBucket}, Now: time.Now, Log: log},
		Spam:    st,
	}, nil
}
