package localrun_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// The local mail bucket answers the browser's preflight from the local
// stack's origin (where the console and the portal post uploads), with the
// template's methods, and refuses another origin's, as the deployed bucket
// does for the distribution.
func TestMailBucketCORSNamesTheLocalOrigin(t *testing.T) {
	cfg := testbed.AWS(t, "DYNAMODB", "SQS", "S3", "SECRETS_MANAGER", "COGNITO_IDENTITY_PROVIDER")
	const origin = "http://127.0.0.1:18080"
	r, err := localrun.New(context.Background(), cfg, localrun.Config{Prefix: testbed.Name(t), Tenant: "demo",
		ReplyTokenSecret: []byte("localrun-test-reply-token-secret"), Log: quiet, VisibilityTimeout: 2 * time.Second,
		PortalURL: origin + "/"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	endpoint := strings.TrimSuffix(os.Getenv("AWS_ENDPOINT_URL_S3"), "/")
	if endpoint == "" {
		endpoint = "http://127.0.0.1:5000"
	}
	preflight := func(from string) (int, string) {
		req, _ := http.NewRequest(http.MethodOptions, endpoint+"/"+r.Stack.Buckets["MailBucket"], nil)
		req.Header.Set("Origin", from)
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Access-Control-Allow-Methods")
	}
	if code, methods := preflight(origin); code != http.StatusOK || !strings.Contains(methods, "POST") {
		t.Errorf("the local origin's preflight: %d, methods %q", code, methods)
	}
	if code, _ := preflight("https://evil.example"); code != http.StatusForbidden {
		t.Errorf("another origin's preflight: %d, want 403", code)
	}
}
