package httpjson_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type strictBody struct {
	Name   *string  `json:"name"`
	Tags   []string `json:"tags"`
	Filter *struct {
		From *string `json:"from"`
	} `json:"filter"`
}

// Each refusal of the strict reader, with the reason a client sees: a
// null is the caller's own error, named by its path; the rest are the
// shared reasons.
func TestReadStrict(t *testing.T) {
	onNull := func(path string) error {
		return helpdesk.Errorf(helpdesk.EInvalid, "null_here", "%s", path)
	}
	for _, c := range []struct {
		body, code, reason, message string
	}{
		{`{"name":"x","tags":["a"],"filter":{"from":"y"}}`, "", "", ""},
		{`null`, helpdesk.EInvalid, "null_here", ""},
		{`{"name":null}`, helpdesk.EInvalid, "null_here", "name"},
		{`{"tags":["a",null]}`, helpdesk.EInvalid, "null_here", "tags[1]"},
		{`{"filter":{"from":null},"name":null}`, helpdesk.EInvalid, "null_here", "filter.from"},
		{`{"name":"x","colour":"red"}`, helpdesk.EInvalid, "invalid_json", ""},
		{`{"name":1}`, helpdesk.EInvalid, "invalid_field", ""},
		{`{"name":"x"} {}`, helpdesk.EInvalid, "invalid_json", ""},
		{`{"name":"x"} }`, helpdesk.EInvalid, "invalid_json", ""},
		{`null ]`, helpdesk.EInvalid, "invalid_json", ""},
		{"{\"name\":\"x\",\"filter\":{\"from\":\"y\"}} \n", "", "", ""},
		{`{"name":`, helpdesk.EInvalid, "invalid_json", ""},
		{`{"name":"` + strings.Repeat("x", 64) + `"}`, helpdesk.ETooLarge, "body_too_large", ""},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(c.body))
		var v strictBody
		err := httpjson.ReadStrict(r, 48, &v, onNull)
		if c.code == "" {
			if err != nil || v.Name == nil || *v.Name != "x" || v.Filter == nil || v.Filter.From == nil {
				t.Errorf("%s: %v %+v", c.body, err, v)
			}
			continue
		}
		if helpdesk.ErrorCode(err) != c.code || helpdesk.ErrorReason(err) != c.reason {
			t.Errorf("%s: %v, want %s %s", c.body, err, c.code, c.reason)
		}
		if c.message != "" && helpdesk.ErrorMessage(err) != c.message {
			t.Errorf("%s: null at %q, want %q", c.body, helpdesk.ErrorMessage(err), c.message)
		}
	}
}

func TestDeclaredJSON(t *testing.T) {
	for ct, want := range map[string]bool{
		"application/json":                  true,
		"application/json; charset=utf-8":   true,
		"Application/JSON":                  true,
		"":                                  false,
		"text/plain":                        false,
		"application/json-patch+json":       false,
		"application/x-www-form-urlencoded": false,
		"application/json; =":               false,
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		if got := httpjson.DeclaredJSON(r); got != want {
			t.Errorf("%q: %v, want %v", ct, got, want)
		}
	}
}
