package agent

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// readStrict reads a JSON object body like readObject, refusing null
// anywhere in it, naming where: the document allows none, and a null
// optional field would otherwise read as an absent one ("leave as it is",
// "no condition") and pass for a value.
func readStrict[T any](r *http.Request) (*T, error) {
	body, err := httpjson.ReadCapped(r, maxBody)
	if err != nil {
		return nil, err
	}
	var v any
	if json.Unmarshal(body, &v) == nil {
		if v == nil {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "invalid_json", "the body must be a JSON object")
		}
		if path, ok := nullAt(v, ""); ok {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "null_value", "field %q is null: leave an optional field out instead", path)
		}
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return readObject[T](r)
}

// nullAt finds the first null member or element inside v, in key order,
// and its path ("filter.priorities[1]").
func nullAt(v any, path string) (string, bool) {
	switch x := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if x[k] == nil {
				return p, true
			}
			if p, ok := nullAt(x[k], p); ok {
				return p, true
			}
		}
	case []any:
		for i, e := range x {
			p := path + "[" + strconv.Itoa(i) + "]"
			if e == nil {
				return p, true
			}
			if p, ok := nullAt(e, p); ok {
				return p, true
			}
		}
	}
	return "", false
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
