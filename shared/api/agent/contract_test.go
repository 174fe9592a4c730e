package agent_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/stackdesk/stackdesk/shared/api/agent"
)

// The contract every test response is held to: each response the API
// gives in these tests is validated against the OpenAPI document's schema
// for its route and status (kin-openapi), so the document cannot drift
// from what the handlers write.
var contract struct {
	once   sync.Once
	router routers.Router
	err    error
}

func contractRouter(t *testing.T) routers.Router {
	t.Helper()
	contract.once.Do(func() {
		doc, err := openapi3.NewLoader().LoadFromData(agent.OpenAPI)
		if err != nil {
			contract.err = err
			return
		}
		if err = doc.Validate(context.Background()); err != nil {
			contract.err = err
			return
		}
		// Validate paths only: the test server's host is not the document's.
		doc.Servers = nil
		contract.router, contract.err = gorillamux.NewRouter(doc)
	})
	if contract.err != nil {
		t.Fatalf("openapi.yaml: %v", contract.err)
	}
	return contract.router
}

// checkContract fails the test when resp (to req, body already read into
// raw) is not what the document says this route answers.
func checkContract(t *testing.T, req *http.Request, resp *http.Response, raw []byte) {
	t.Helper()
	route, params, err := contractRouter(t).FindRoute(req)
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
