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
