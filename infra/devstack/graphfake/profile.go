package graphfake

import (
	"net/http"
	"slices"
	"strings"
)

// KindProfile is GET /{version}/{psid}?fields=... (Messenger User Profile API).
const KindProfile = "profile"

// profileFields are the fields the User Profile API documents.
var profileFields = []string{"id", "name", "first_name", "last_name", "profile_pic", "locale", "timezone", "gender"}

type profile struct {
	pageID, first, last string
}

// AddProfile makes the Messenger user psid of pageID readable with the
// page's token (AddPage): GET /{version}/{psid}?fields=first_name,...
// answers the fields asked for.
func (f *Fake) AddProfile(pageID, psid, first, last string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.profiles == nil {
		f.profiles = map[string]profile{}
	}
	f.profiles[psid] = profile{pageID: pageID, first: first, last: last}
}

// FailProfiles answers the next n valid profile requests with resp
// (e.g. Unavailable()), as Meta does when it is down.
func (f *Fake) FailProfiles(n int, resp *Response) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.profileFails = append(f.profileFails, resp)
	}
}

// profileRoute checks a profile request strictly: GET, no body, only the
// fields parameter with documented fields, the page's own token.
func (f *Fake) profileRoute(r *http.Request, req Request, psid string) (route, bool) {
	f.mu.Lock()
	p, ok := f.profiles[psid]
	token := f.pages[p.pageID]
	f.mu.Unlock()
	if !ok {
		return route{}, false
	}
	rt := route{kind: KindProfile, account: psid}
	q := r.URL.Query()
	fields := strings.Split(q.Get("fields"), ",")
	switch {
	case r.Method != http.MethodGet:
		rt.fail = invalidParam("Unsupported %s request on /%s", strings.ToLower(r.Method), psid)
	case len(req.Body) > 0:
		rt.fail = invalidParam("a GET request has no body")
	case req.Token != token:
		rt.fail = unknownObject("get", psid) // another page's token cannot see this PSID
	case q.Get("fields") == "":
		rt.fail = invalidParam("fields is required (the help desk asks for the fields it uses)")
	}
	for k := range q {
		if rt.fail == nil && k != "fields" {
			rt.fail = invalidParam("Unknown parameter %q (the profile endpoint takes fields)", k)
		}
	}
	for _, fl := range fields {
		if rt.fail == nil && !slices.Contains(profileFields, fl) {
			rt.fail = invalidParam("Tried accessing nonexisting field (%s) on node type (User)", fl)
		}
	}
	if rt.fail != nil {
		return rt, true
	}
	f.mu.Lock()
	if len(f.profileFails) > 0 {
		rt.fail, f.profileFails = f.profileFails[0], f.profileFails[1:]
	}
	f.mu.Unlock()
	if rt.fail != nil {
		return rt, true
	}
	rt.commit = func() *Response {
		all := map[string]any{"id": psid, "first_name": p.first, "last_name": p.last,
			"name": strings.TrimSpace(p.first + " " + p.last), "profile_pic": baseURL(r) + "/profile_pic/" + psid + ".jpg"}
		out := map[string]any{"id": psid}
		for _, fl := range fields {
			if v, ok := all[fl]; ok {
				out[fl] = v
			}
		}
		return okJSON(out)
	}
	return rt, true
}
