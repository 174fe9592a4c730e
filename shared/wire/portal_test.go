package wire_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/stackdesk/stackdesk/shared/wire"
)

type fakeSecrets struct {
	value  string
	values map[string]string // by id, else value
	asked  []string
}

func (f *fakeSecrets) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.asked = append(f.asked, *in.SecretId)
	v, ok := f.values[*in.SecretId]
	if !ok {
		v = f.value
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: &v}, nil
}

// The portal's key is the secret's value, read once at build; a key too
// short to be one fails the cold start. The source of a request is API
// Gateway's, and the link base is the configured one.
func TestPortalAPIReadsItsKeyOnceAtColdStart(t *testing.T) {
	c := wire.PortalAPIConfig{PortalSecretARN: "arn:aws:secretsmanager:us-east-1:1:secret:portal", PortalLinkBase: "https://d1.cloudfront.net/portal/#/signin?token=",
		OutboundQueueURL: "https://sqs.us-east-1.amazonaws.com/1/out"}
	c.TableName = "t"
	keys := &fakeSecrets{value: strings.Repeat("k", 48)}
	api, err := wire.PortalAPIWith(c, awsConfig(), nil, keys)
	if err != nil {
		t.Fatal(err)
	}
	if string(api.Key) != keys.value || len(keys.asked) != 1 || keys.asked[0] != c.PortalSecretARN {
		t.Errorf("key %q read from %v", api.Key, keys.asked)
	}
	if api.LinkBase != c.PortalLinkBase || api.Store == nil || api.Outbound == nil || api.SourceIP == nil {
		t.Errorf("api = %+v", api)
	}
	r := httptest.NewRequest("POST", "/portal/api/access", nil)
	r.RemoteAddr = "192.0.2.1:4000"
	if got := api.SourceIP(r); got != "192.0.2.1" {
		t.Errorf("source = %q", got)
	}
	if _, err := wire.PortalAPIWith(c, awsConfig(), nil, &fakeSecrets{value: "short"}); err == nil {
		t.Error("a 5-character key was taken")
	}
}

// With the origin secret, a request CloudFront forwarded is counted by its
// viewer; one without the secret by API Gateway's source.
func TestPortalAPICountsTheViewerBehindCloudFront(t *testing.T) {
	c := wire.PortalAPIConfig{PortalSecretARN: "key", PortalOriginSecretARN: "origin", PortalLinkBase: "https://d1.cloudfront.net/portal/#/signin?token="}
	c.TableName = "t"
	origin := strings.Repeat("o", 32)
	keys := &fakeSecrets{values: map[string]string{"key": strings.Repeat("k", 48), "origin": origin}}
	api, err := wire.PortalAPIWith(c, awsConfig(), nil, keys)
	if err != nil {
		t.Fatal(err)
	}
	if string(api.Key) == origin || len(keys.asked) != 2 {
		t.Fatalf("key %q from %v", api.Key, keys.asked)
	}
	r := httptest.NewRequest("POST", "/portal/api/access", nil)
	r.RemoteAddr = "192.0.2.1:4000"
	r.Header.Set("CloudFront-Viewer-Address", "198.51.100.10:46532")
	if got := api.SourceIP(r); got != "192.0.2.1" {
		t.Errorf("without the origin secret: %q, want the source", got)
	}
	r.Header.Set("X-Stackdesk-Origin-Verify", origin)
	if got := api.SourceIP(r); got != "198.51.100.10" {
		t.Errorf("through CloudFront: %q, want the viewer", got)
	}
}
