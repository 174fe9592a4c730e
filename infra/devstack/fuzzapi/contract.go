package fuzzapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"gopkg.in/yaml.v3"
)

// Operations lists an OpenAPI document's operations, "METHOD /path",
// sorted: what a router's routes are held equal to.
func Operations(doc []byte) ([]string, error) {
	var d struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(doc, &d); err != nil {
		return nil, err
	}
	var ops []string
	for path, methods := range d.Paths {
		for m := range methods {
			switch m = strings.ToUpper(m); m {
			case "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE":
				ops = append(ops, m+" "+path)
			}
		}
	}
	sort.Strings(ops)
	return ops, nil
}

// HoldRoutes fails t unless routes ("METHOD /path") are exactly doc's
// operations, and mux serves each under that pattern.
func HoldRoutes(t *testing.T, doc []byte, routes []string, mux *http.ServeMux) {
	t.Helper()
	ops, err := Operations(doc)
	if err != nil {
		t.Fatal(err)
	}
	routes = slices.Sorted(slices.Values(routes))
	if !slices.Equal(ops, routes) {
		t.Fatalf("routes and document differ:\nserved     %v\ndocumented %v", routes, ops)
	}
	for _, op := range ops {
		method, path, _ := strings.Cut(op, " ")
		req, _ := http.NewRequest(method, path, nil)
		if _, pattern := mux.Handler(req); pattern != op {
			t.Errorf("%s: the mux serves it as %q", op, pattern)
		}
	}
}

var htmlOnce sync.Once

// Contract validates responses against an OpenAPI document (kin-openapi):
// the status, headers and body must be ones the document gives.
type Contract struct {
	router routers.Router
}

// NewContract loads and validates doc, failing t if it is not valid.
func NewContract(t *testing.T, doc []byte) *Contract {
	t.Helper()
	c, err := LoadContract(doc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// LoadContract loads and validates doc (an API's tests load theirs once,
// with sync.OnceValues, for every response they check).
func LoadContract(doc []byte) (*Contract, error) {
	// Pages (the survey, unsubscribe) are HTML: checked as text.
	htmlOnce.Do(func() { openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder) })
	d, err := openapi3.NewLoader().LoadFromData(doc)
	if err == nil {
		err = d.Validate(context.Background())
	}
	if err != nil {
		return nil, fmt.Errorf("the OpenAPI document: %w", err)
	}
	d.Servers = nil // paths only: a test server's host is not the document's
	r, err := gorillamux.NewRouter(d)
	if err != nil {
		return nil, fmt.Errorf("the OpenAPI document's router: %w", err)
	}
	return &Contract{router: r}, nil
}

// Check fails t if resp (its body raw) to req is not in the document.
func (c *Contract) Check(t *testing.T, req *http.Request, resp *http.Response, raw []byte) {
	t.Helper()
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		t.Errorf("%s %s: not in the document: %v", req.Method, req.URL.Path, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: resp.StatusCode, Header: resp.Header,
		Body: io.NopCloser(bytes.NewReader(raw)), Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d does not match the document: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, raw)
	}
}
