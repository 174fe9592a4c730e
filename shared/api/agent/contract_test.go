package agent_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/fuzzapi"
	"github.com/stackdesk/stackdesk/shared/api/agent"
)

// The contract every test response is held to: each response the API
// gives in these tests is validated against the OpenAPI document's schema
// for its route and status (kin-openapi), so the document cannot drift
// from what the handlers write.
var contract = sync.OnceValues(func() (*fuzzapi.Contract, error) { return fuzzapi.LoadContract(agent.OpenAPI) })

// checkContract fails the test when resp (to req, body already read into
// raw) is not what the document says this route answers.
func checkContract(t *testing.T, req *http.Request, resp *http.Response, raw []byte) {
	t.Helper()
	c, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	c.Check(t, req, resp, raw)
}
