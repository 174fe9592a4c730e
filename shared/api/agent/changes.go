package agent

import (
	"net/http"
	"strings"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// changes answers the desk clock (GET /api/changes): 304 when the
// caller's If-None-Match names its version, so a console's poll while
// nothing happens is one half-unit read and an empty answer.
func (a *API) changes(w http.ResponseWriter, r *http.Request, _ helpdesk.Principal) error {
	c, err := a.Store.Clock(r.Context())
	if err != nil {
		return err
	}
	tag := versionTag(c.Version)
	w.Header().Set("ETag", tag)
	if noneMatch(r, tag) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	httpjson.Write(w, http.StatusOK, c)
	return nil
}

// noneMatch reports whether If-None-Match names tag (or is "*").
func noneMatch(r *http.Request, tag string) bool {
	for _, v := range r.Header.Values("If-None-Match") {
		for _, t := range strings.Split(v, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == tag || t == "*" {
				return true
			}
		}
	}
	return false
}
