// Package graphapi is a small client for the parts of Meta's Graph API the
// help desk uses: the Messenger Send API, the WhatsApp Cloud API messages
// endpoint and WhatsApp media retrieval.
//
// Access tokens are passed per call and sent only in the Authorization
// header, never in a URL, so they cannot end up in access logs or in the
// error strings this package returns. Messages are validated before they are
// sent: a message Meta would refuse is an EInvalid helpdesk error that costs
// no request. Meta's own refusals are *Error values; Retryable tells which
// failures are worth another attempt.
package graphapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Defaults for New.
const (
	DefaultBaseURL = "https://graph.facebook.com"
	DefaultVersion = "v21.0"
	DefaultTimeout = 10 * time.Second
)

// maxJSONBody caps how much of a JSON response (or error body) is read: Graph
// answers are a few hundred bytes, and a runaway body must not fill a Lambda's memory.
const maxJSONBody = 1 << 20

// Client calls the Graph API. The zero value works and uses the defaults.
type Client struct {
	// BaseURL is the scheme and host, e.g. https://graph.facebook.com; tests
	// point it at a graphfake server.
	BaseURL string
	// Version is the Graph API version path segment, e.g. "v21.0".
	Version string
	// HTTP does the requests; nil means a client with DefaultTimeout.
	HTTP *http.Client
}

// New returns a Client. Empty baseURL or version and a nil hc select
// DefaultBaseURL, DefaultVersion and an http.Client with DefaultTimeout.
func New(baseURL, version string, hc *http.Client) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if version == "" {
		version = DefaultVersion
	}
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), Version: version, HTTP: hc}
}

var defaultHTTP = &http.Client{Timeout: DefaultTimeout}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return defaultHTTP
}

func (c *Client) baseURL() string {
	if c.BaseURL == "" {
		return DefaultBaseURL
	}
	return strings.TrimRight(c.BaseURL, "/")
}

var (
	versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)
	// Graph object ids (pages, phone numbers, media) are numeric; letters,
	// '_' and '-' are allowed for fakes, anything that could change the path is not.
	idRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// endpoint builds {base}/{version}/{id}[/{edge}] after checking each part,
// so an id can never add path segments or a query.
func (c *Client) endpoint(idName, id, edge string) (string, error) {
	v := c.Version
	if v == "" {
		v = DefaultVersion
	}
	if !versionRE.MatchString(v) {
		return "", helpdesk.Errorf(helpdesk.EInternal, "graph_version_invalid", "graph api version %q is not of the form v21.0", v)
	}
	if !idRE.MatchString(id) {
		return "", helpdesk.Errorf(helpdesk.EInvalid, idName+"_invalid", "%s %q is not a Graph object id", idName, id)
	}
	u := c.baseURL() + "/" + v + "/" + id
	if edge != "" {
		u += "/" + edge
	}
	return u, nil
}

func checkToken(token string) error {
	if token == "" {
		return helpdesk.Errorf(helpdesk.EInternal, "access_token_missing", "no Graph API access token configured")
	}
	if strings.ContainsAny(token, " \t\r\n") {
		return helpdesk.Errorf(helpdesk.EInternal, "access_token_invalid", "the Graph API access token contains white space")
	}
	return nil
}

// TransportError is a failure to get an answer at all: DNS, connection,
// TLS, a timeout, a body cut short. Op names the request ("POST /v21.0/123/messages")
// but never carries a token.
type TransportError struct {
	Op  string
	Err error
}

func (e *TransportError) Error() string { return "graph api: " + e.Op + ": " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// do sends one request and returns the status and up to limit bytes of body.
// It returns *TransportError when no complete answer arrived.
func (c *Client) do(ctx context.Context, method, rawURL, token string, body []byte, limit int64) (int, http.Header, []byte, error) {
	op := method + " " + redactURL(rawURL)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("graph api: %s: %w", op, err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("User-Agent", "stackdesk-graphapi")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return 0, nil, nil, &TransportError{Op: op, Err: stripURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return resp.StatusCode, resp.Header, nil, &TransportError{Op: op, Err: fmt.Errorf("reading the response: %w", err)}
	}
	return resp.StatusCode, resp.Header, data, nil
}

// callJSON sends in (when not nil) as JSON and decodes a 2xx answer into out.
// A non-2xx answer becomes *Error.
func (c *Client) callJSON(ctx context.Context, method, rawURL, token string, in, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return fmt.Errorf("graph api: encoding the request: %w", err)
		}
	}
	status, _, data, err := c.do(ctx, method, rawURL, token, body, maxJSONBody)
	if err != nil {
		return err
	}
	if status < 200 || status > 299 {
		return parseError(status, data)
	}
	op := method + " " + redactURL(rawURL)
	if int64(len(data)) > maxJSONBody {
		return fmt.Errorf("graph api: %s: response is over %d bytes", op, maxJSONBody)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("graph api: %s: decoding the %d response: %w", op, status, err)
	}
	return nil
}

// redactURL drops the query (lookaside media URLs carry a hash there) so
// error strings and logs show only where a request went.
func redactURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}

// stripURLError unwraps *url.Error, whose message repeats the full URL; the
// TransportError already names the request without its query.
func stripURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}
