package lambdax

import (
	"net"
	"net/http"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// SourceIP is the address of the caller of an HTTP API request: API
// Gateway's requestContext.http.sourceIp (the TCP peer it saw, which a
// client cannot set by a header), else the request's RemoteAddr host (a
// local server, tests). Behind CloudFront this is the edge's address, not
// the viewer's (docs/architecture.md, "Customer portal deployment").
func SourceIP(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.HTTP.SourceIP != "" {
		return rc.HTTP.SourceIP
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}
