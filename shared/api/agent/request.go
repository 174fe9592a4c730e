package agent

import (
	"net/http"
	"strconv"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// readStrict reads a JSON object body like readObject, refusing null
// anywhere in it, naming where (httpjson.ReadStrict).
func readStrict[T any](r *http.Request) (*T, error) {
	var v *T
	if err := httpjson.ReadStrict(r, maxBody, &v, nullValue); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, errNotObject
	}
	return v, nil
}

var errNotObject = helpdesk.Errorf(helpdesk.EInvalid, "invalid_json", "the body must be a JSON object")

// nullValue is the agent API's answer to a null: a body that is only null
// is no object; a null field is null_value, named.
func nullValue(path string) error {
	if path == "" {
		return errNotObject
	}
	return helpdesk.Errorf(helpdesk.EInvalid, "null_value", "field %q is null: leave an optional field out instead", path)
}

// mayWork refuses a viewer what only agents and admins do, saying what.
func mayWork(p helpdesk.Principal, what string) error {
	if p.CanWork() {
		return nil
	}
	return helpdesk.Errorf(helpdesk.EForbidden, "viewer_read_only", "viewers read and comment (notes); they do not %s", what)
}

// readLimit reads ?limit= (def when absent); given, it must be 1 to max,
// an empty one included.
func readLimit(r *http.Request, def, max int) (int, error) {
	q := r.URL.Query()
	if !q.Has("limit") {
		return def, nil
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n < 1 || n > max {
		return 0, helpdesk.Errorf(helpdesk.EInvalid, "invalid_limit", "limit must be 1 to %d", max)
	}
	return n, nil
}

// readCursor opens ?cursor= as a position of the list scope names ("" when
// absent: the start).
func (a *API) readCursor(r *http.Request, scope string) (string, error) {
	c := r.URL.Query().Get("cursor")
	if c == "" {
		return "", nil
	}
	return a.openCursor(c, scope)
}
