package lambdax

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
)

// SourceIP is the address of the caller of an HTTP API request: API
// Gateway's requestContext.http.sourceIp (the TCP peer it saw, which a
// client cannot set by a header), else the request's RemoteAddr host (a
// local server, tests). Behind CloudFront this is the edge's address, not
// the viewer's: see ViewerIP.
func SourceIP(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.HTTP.SourceIP != "" {
		return rc.HTTP.SourceIP
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// OriginVerifyHeader carries the secret CloudFront adds to every request
// it sends the portal's HTTP API (template.yaml, PortalOriginSecret).
const OriginVerifyHeader = "X-Stackdesk-Origin-Verify"

// ViewerIP is the caller of a request CloudFront forwarded: the address
// in CloudFront-Viewer-Address ("ip:port", IPv6 unbracketed), trusted only
// when the request carries originSecret in OriginVerifyHeader (a caller
// that goes around CloudFront to the API's own endpoint cannot set it).
// Otherwise, or when originSecret is empty, it is SourceIP.
func ViewerIP(r *http.Request, originSecret string) string {
	if originSecret != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get(OriginVerifyHeader)), []byte(originSecret)) == 1 {
		v := r.Header.Get("CloudFront-Viewer-Address")
		if i := strings.LastIndexByte(v, ':'); i > 0 {
			if ip := net.ParseIP(strings.Trim(v[:i], "[]")); ip != nil {
				return ip.String()
			}
		}
	}
	return SourceIP(r)
}
