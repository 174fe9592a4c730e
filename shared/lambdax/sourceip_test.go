package lambdax

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// ipRoutes answers each request with the SourceIP lambdax reads.
type ipRoutes struct{}

func (ipRoutes) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /ip", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(SourceIP(r))) })
}

// An HTTP API request's source is API Gateway's requestContext.http.sourceIp,
// whatever the headers claim; a plain server's is its peer's host.
func TestSourceIPIsAPIGatewaysSourceIP(t *testing.T) {
	h := HTTPHandler(ipRoutes{}, nil).(func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error))
	for _, ip := range []string{"203.0.113.9", "2001:db8::7"} {
		resp, err := h(context.Background(), events.APIGatewayV2HTTPRequest{
			Version: "2.0", RawPath: "/ip",
			Headers: map[string]string{"x-forwarded-for": "198.51.100.1", "cloudfront-viewer-address": "198.51.100.2:443"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: "/ip", SourceIP: ip},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || resp.Body != ip {
			t.Errorf("source %s: %d %q", ip, resp.StatusCode, resp.Body)
		}
	}
	r := httptest.NewRequest("GET", "/ip", nil)
	r.RemoteAddr = "192.0.2.4:51234"
	if got := SourceIP(r); got != "192.0.2.4" {
		t.Errorf("plain request: %q", got)
	}
}

// Behind CloudFront the viewer's address is CloudFront-Viewer-Address,
// believed only with the origin secret CloudFront adds; a caller that goes
// around CloudFront (no secret, a wrong one) is its own source.
func TestViewerIPOnlyFromCloudFront(t *testing.T) {
	req := func(verify, viewer string) *http.Request {
		r := httptest.NewRequest("POST", "/portal/api/access", nil)
		r.RemoteAddr = "192.0.2.4:443" // the edge (SourceIP)
		if verify != "" {
			r.Header.Set(OriginVerifyHeader, verify)
		}
		if viewer != "" {
			r.Header.Set("CloudFront-Viewer-Address", viewer)
		}
		return r
	}
	for _, tc := range []struct {
		secret, verify, viewer, want string
	}{
		{"s3cret", "s3cret", "198.51.100.10:46532", "198.51.100.10"},
		{"s3cret", "s3cret", "2001:db8::7:46532", "2001:db8::7"},
		{"s3cret", "wrong", "198.51.100.10:46532", "192.0.2.4"},
		{"s3cret", "", "198.51.100.10:46532", "192.0.2.4"},
		{"", "", "198.51.100.10:46532", "192.0.2.4"},
		{"s3cret", "s3cret", "not an address", "192.0.2.4"},
	} {
		if got := ViewerIP(req(tc.verify, tc.viewer), tc.secret); got != tc.want {
			t.Errorf("secret %q, header %q, viewer %q: %q, want %q", tc.secret, tc.verify, tc.viewer, got, tc.want)
		}
	}
}
