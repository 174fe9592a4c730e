package wire

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/api/portal"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/secrets"
)

// PortalAPIConfig configures portal-api (issue 14).
type PortalAPIConfig struct {
	Store
	// OutboundQueueURL takes the sign-in mail (portal.access jobs) and the
	// jobs of the customer's actions.
	OutboundQueueURL string `env:"OUTBOUND_QUEUE_URL,required"`
	// PortalSecretARN names the portal's key: it signs sign-in links and
	// keys every stored grant and session hash. It is read once at cold
	// start; rotating it ends every link and session.
	PortalSecretARN string `env:"PORTAL_SECRET_ARN,required"`
	// PortalLinkBase is the sign-in link a mail carries, the token
	// appended, e.g. https://<portal>/portal/#/signin?token=.
	PortalLinkBase string `env:"PORTAL_LINK_BASE,required"`
	// IngestQueueURL takes a customer's replies and new tickets, and
	// MailBucket holds their uploads and the files they read (the portal's
	// write routes; optional until those are served).
	IngestQueueURL string `env:"INGEST_QUEUE_URL"`
	MailBucket     string `env:"MAIL_BUCKET"`
	// PortalOriginSecretARN names the secret CloudFront adds to what it
	// forwards (lambdax.OriginVerifyHeader): with it, the per-source rate
	// limits count the viewer (CloudFront-Viewer-Address), not the edge.
	// Without it, the source is API Gateway's sourceIp.
	PortalOriginSecretARN string `env:"PORTAL_ORIGIN_SECRET_ARN"`
}

// SecretReader reads a secret's value (Secrets Manager's GetSecretValue).
type SecretReader = secrets.Client

// PortalAPI builds the customer portal's API. Its key is read at cold start
// (a missing or short key fails the start, not a customer's request).
func PortalAPI(c PortalAPIConfig, cfg aws.Config, log *slog.Logger) (*portal.API, error) {
	return PortalAPIWith(c, cfg, log, secretsmanager.NewFromConfig(cfg))
}

// PortalAPIWith is PortalAPI with the secret reader given (tests).
func PortalAPIWith(c PortalAPIConfig, cfg aws.Config, log *slog.Logger, keys SecretReader) (*portal.API, error) {
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeouts().RequestBudget)
	defer cancel()
	key, err := secrets.ReadKey(ctx, keys, c.PortalSecretARN)
	if err != nil {
		return nil, fmt.Errorf("portal key: %w", err)
	}
	var origin string
	if c.PortalOriginSecretARN != "" {
		v, err := secrets.ReadKey(ctx, keys, c.PortalOriginSecretARN)
		if err != nil {
			return nil, fmt.Errorf("portal origin secret: %w", err)
		}
		origin = string(v)
	}
	st := c.store(cfg)
	a := &portal.API{
		Store:    st,
		Outbound: &sqsqueue.Outbound{Client: sqs.NewFromConfig(cfg), QueueURL: c.OutboundQueueURL},
		Key:      key,
		LinkBase: c.PortalLinkBase,
		Log:      log,
		Now:      time.Now,
		// The viewer CloudFront saw when the request proves it came through
		// CloudFront, else API Gateway's source address: never a header a
		// caller can set on its own.
		SourceIP: func(r *http.Request) string { return lambdax.ViewerIP(r, origin) },
		Ratings:  &appcsat.Service{Store: st, Tenant: c.Tenant, Now: time.Now},
		Settings: c.settings(st, log),
	}
	if c.MailBucket != "" {
		files := s3.NewFromConfig(cfg)
		bucket := &s3files.Bucket{Client: files, Name: c.MailBucket}
		links := &s3files.Links{Bucket: bucket, Presign: s3.NewPresignClient(files)}
		a.Files, a.Uploads = links, links
		if c.IngestQueueURL != "" {
			a.Ingest = ingestQueue(cfg, c.IngestQueueURL, bucket)
		}
	}
	return a, nil
}

// PortalLinker is the part of the portal the agent API sends sign-in links
// into chat conversations with: the portal's own grants, its key and link.
func portalLinker(ctx context.Context, keys SecretReader, arn, linkBase string, st portal.Store, out *sqsqueue.Outbound, log *slog.Logger) (*portal.API, error) {
	key, err := secrets.ReadKey(ctx, keys, arn)
	if err != nil {
		return nil, fmt.Errorf("portal key: %w", err)
	}
	return &portal.API{Store: st, Outbound: out, Key: key, LinkBase: linkBase, Log: log, Now: time.Now}, nil
}
