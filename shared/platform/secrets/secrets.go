// Package secrets reads the Meta credentials a stack holds in one Secrets
// Manager secret and caches them for a few minutes, so a rotated token is
// picked up without a redeploy and never sits in a function's
// configuration (where dynamic references would put it).
//
// The secret's SecretString is JSON:
//
//	{
//	  "app_secret":   "<Meta app secret: signs webhook deliveries>",
//	  "verify_token": "<the token typed into Meta's webhook settings>",
//	  "access_tokens": {
//	    "messenger:<page id>":          "<page access token>",
//	    "whatsapp:<phone number id>":   "<system user access token>"
//	  }
//	}
package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Client is the subset of the Secrets Manager client used here.
type Client interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// Meta is the parsed secret.
type Meta struct {
	AppSecret    string            `json:"app_secret"`
	VerifyToken  string            `json:"verify_token"`
	AccessTokens map[string]string `json:"access_tokens"`
}

// DefaultTTL is how long a read secret is used before it is read again.
const DefaultTTL = 5 * time.Minute

// MetaSource reads and caches the Meta secret.
type MetaSource struct {
	Client   Client
	SecretID string // ARN or name
	TTL      time.Duration
	Now      func() time.Time

	mu      sync.Mutex
	cached  Meta
	readAt  time.Time
	hasRead bool
}

// Load returns the secret, from the cache while it is fresh. A failed
// refresh keeps serving the last good value: Meta keeps delivering while
// Secrets Manager hiccups.
func (s *MetaSource) Load(ctx context.Context) (Meta, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	ttl := s.TTL
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	if s.hasRead && now.Sub(s.readAt) < ttl {
		return s.cached, nil
	}
	out, err := s.Client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &s.SecretID})
	if err != nil {
		if s.hasRead {
			return s.cached, nil
		}
		return Meta{}, fmt.Errorf("read secret %s: %w", s.SecretID, err)
	}
	if out.SecretString == nil {
		return Meta{}, fmt.Errorf("read secret %s: no SecretString", s.SecretID)
	}
	var m Meta
	if err := json.Unmarshal([]byte(*out.SecretString), &m); err != nil {
		// Never echo the value: it is a secret, even when malformed.
		return Meta{}, fmt.Errorf("read secret %s: not the expected JSON object", s.SecretID)
	}
	s.cached, s.readAt, s.hasRead = m, now, true
	return m, nil
}

// MetaSecrets gives the webhook handlers the app secret and verify token.
func (s *MetaSource) MetaSecrets(ctx context.Context) (appSecret, verifyToken string, err error) {
	m, err := s.Load(ctx)
	return m.AppSecret, m.VerifyToken, err
}

// AccessToken returns the Graph API token of a channel ("messenger:<page
// id>" or "whatsapp:<phone number id>").
func (s *MetaSource) AccessToken(ctx context.Context, channelID string) (string, error) {
	m, err := s.Load(ctx)
	if err != nil {
		return "", err
	}
	tok := m.AccessTokens[channelID]
	if tok == "" {
		return "", helpdesk.Errorf(helpdesk.EInvalid, "access_token_missing", "no access token for channel %s in the Meta secret", channelID)
	}
	return tok, nil
}

func (s *MetaSource) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// MetaConfig is the environment of a function that reads the Meta secret;
// embed it in the function's config struct.
type MetaConfig struct {
	MetaSecretARN string `env:"META_SECRET_ARN,required"`
}

// MetaSource reads the secret MetaSecretARN names (cached).
func (c *MetaConfig) MetaSource(cfg aws.Config) *MetaSource {
	return &MetaSource{Client: secretsmanager.NewFromConfig(cfg), SecretID: c.MetaSecretARN}
}
