package boot

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/stackdesk/stackdesk/shared/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/secrets"
)

// Meta is the configuration of functions that talk to Meta: the secret
// holding the app secret, verify token and access tokens, and the Graph API
// (both empty values select Meta's public API).
type Meta struct {
	MetaSecretARN   string `env:"META_SECRET_ARN,required"`
	GraphAPIURL     string `env:"GRAPH_API_URL"`
	GraphAPIVersion string `env:"GRAPH_API_VERSION"`
}

// Secrets reads the Meta secret (cached; see secrets.MetaSource).
func (m *Meta) Secrets(cfg aws.Config) *secrets.MetaSource {
	return &secrets.MetaSource{Client: secretsmanager.NewFromConfig(cfg), SecretID: m.MetaSecretARN}
}

// Graph is the Graph API client.
func (m *Meta) Graph() *graphapi.Client {
	return graphapi.New(m.GraphAPIURL, m.GraphAPIVersion, nil)
}
