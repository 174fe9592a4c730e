package httpjson

import (
	"encoding/json"
	"maps"
	"mime"
	"net/http"
	"slices"
	"strconv"
)

// ReadStrict reads a JSON body of at most limit bytes into v as ReadJSON
// does (unknown fields and trailing data refused, 413 beyond the bound),
// and first refuses a null anywhere in it: no contract here has a
// nullable field, and Go would read a null optional field as one left out
// ("leave as it is", "no condition") and pass it for a value. onNull
// makes the error for the first null found, in key order, given its path
// ("filter.priorities[1]"; "" when the body itself is null): each API
// answers it with the reason its own contract documents.
func ReadStrict(r *http.Request, limit int64, v any, onNull func(path string) error) error {
	body, err := ReadCapped(r, limit)
	if err != nil {
		return err
	}
	var doc any
	// A body that is not JSON at all is left for decode to name.
	if json.Unmarshal(body, &doc) == nil {
		if doc == nil {
			return onNull("")
		}
		if path, ok := nullAt(doc, ""); ok {
			return onNull(path)
		}
	}
	return decode(body, v)
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

// DeclaredJSON reports whether the request declares its body as
// application/json (parameters such as charset allowed).
func DeclaredJSON(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}
