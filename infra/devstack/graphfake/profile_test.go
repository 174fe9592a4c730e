package graphfake

import (
	"encoding/json"
	"testing"
)

// The User Profile API answers the fields asked for with the page's token,
// and refuses what Meta refuses: another token, an unknown field, a token
// in the URL, a write; it fails on demand.
func TestProfiles(t *testing.T) {
	f := start(t)
	f.AddPage("3003", "other-page-token")
	f.AddProfile(pageID, "PSID7", "Peter", "Chang")
	url := f.URL + "/v21.0/PSID7?fields=first_name,last_name,name,profile_pic"

	a := do(t, "GET", url, pageToken, "", "")
	var p map[string]string
	if err := json.Unmarshal(a.body, &p); a.status != 200 || err != nil || p["id"] != "PSID7" || p["name"] != "Peter Chang" ||
		p["first_name"] != "Peter" || p["last_name"] != "Chang" || p["profile_pic"] == "" {
		t.Fatalf("profile: %d %s", a.status, a.body)
	}
	if a := do(t, "GET", f.URL+"/v21.0/PSID7?fields=first_name", pageToken, "", ""); string(a.body) != `{"first_name":"Peter","id":"PSID7"}` {
		t.Fatalf("only the fields asked for: %s", a.body)
	}
	for _, c := range []struct {
		name, method, url, token string
		status, code             int
	}{
		{"another page's token", "GET", url, "other-page-token", 400, 100},
		{"no token", "GET", url, "", 401, 190},
		{"no fields", "GET", f.URL + "/v21.0/PSID7", pageToken, 400, 100},
		{"an unknown field", "GET", f.URL + "/v21.0/PSID7?fields=first_name,email", pageToken, 400, 100},
		{"another parameter", "GET", url + "&debug=all", pageToken, 400, 100},
		{"a token in the URL", "GET", url + "&access_token=" + pageToken, pageToken, 400, 100},
		{"a write", "POST", url, pageToken, 400, 100},
		{"an unknown PSID", "GET", f.URL + "/v21.0/PSID8?fields=name", pageToken, 400, 100},
	} {
		a := do(t, c.method, c.url, c.token, "", "")
		if a.status != c.status || a.graphErr(t).Code != c.code {
			t.Errorf("%s: %d %s, want %d code %d", c.name, a.status, a.body, c.status, c.code)
		}
	}

	f.FailProfiles(1, Unavailable())
	if a := do(t, "GET", url, pageToken, "", ""); a.status != 503 || !a.graphErr(t).IsTransient {
		t.Fatalf("failed on demand: %d %s", a.status, a.body)
	}
	if a := do(t, "GET", url, pageToken, "", ""); a.status != 200 {
		t.Fatalf("after the failure: %d %s", a.status, a.body)
	}
	var n int
	for _, r := range f.Requests() {
		if r.Kind == KindProfile {
			n++
		}
	}
	if n < 4 {
		t.Fatalf("%d profile requests recorded", n)
	}
}
