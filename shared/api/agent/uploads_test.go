package agent_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

type upload struct {
	UploadID string            `json:"upload_id"`
	URL      string            `json:"url"`
	Fields   map[string]string `json:"fields"`
	MaxSize  int64             `json:"max_size"`
}

// An upload form is given for an allowed type and size, under the
// caller's own prefix; anything else is refused with the field named.
func TestUploadForms(t *testing.T) {
	f := newDesk(t, testbed.Mem)
	r := f.do(t, "POST", "/api/uploads", "bob", `{"name":"Résumé v2.pdf","content_type":"application/pdf","size":1000}`)
	if r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.raw)
	}
	var u upload
	decode(t, r, &u)
	if len(u.UploadID) != 32 || u.Fields["key"] != "attachments/uploads/bob/"+u.UploadID || u.MaxSize != 10<<20 ||
		u.Fields["Content-Type"] != "application/pdf" || u.Fields["x-amz-meta-name"] != "R%C3%A9sum%C3%A9%20v2.pdf" ||
		u.Fields["max"] != fmt.Sprint(10<<20) || u.Fields["ttl"] != "15m0s" {
		t.Fatalf("upload %+v", u)
	}
	for _, c := range []struct{ who, body, status, want string }{
		{"bob", `{"name":"x.html","content_type":"text/html","size":10}`, "400", "file_type_not_allowed"},
		{"bob", `{"name":"x.svg","content_type":"image/svg+xml","size":10}`, "400", "file_type_not_allowed"},
		{"bob", `{"name":"x.pdf","content_type":"nonsense","size":10}`, "400", "file_type_not_allowed"},
		{"bob", `{"name":"x.pdf","content_type":"application/pdf","size":10485761}`, "400", "upload_too_large"},
		{"bob", `{"name":"x.pdf","content_type":"application/pdf","size":0}`, "400", "upload_too_large"},
		{"bob", `{"name":" ","content_type":"application/pdf","size":10}`, "400", "invalid_file_name"},
		{"bob", `{"name":"a\nb","content_type":"application/pdf","size":10}`, "400", "invalid_file_name"},
		{"bob", `{"name":"` + strings.Repeat("n", 256) + `","content_type":"application/pdf","size":10}`, "400", "invalid_file_name"},
		{"bob", `null`, "400", "invalid_json"},
		{"vic", `{"name":"x.pdf","content_type":"application/pdf","size":10}`, "403", "viewer_read_only"},
		{"", `{"name":"x.pdf","content_type":"application/pdf","size":10}`, "401", "token_missing"},
	} {
		r := f.do(t, "POST", "/api/uploads", c.who, c.body)
		if fmt.Sprint(r.status) != c.status || reason(r) != c.want {
			t.Errorf("%s %s: %d %s, want %s %s", c.who, c.body, r.status, r.raw, c.status, c.want)
		}
	}
}

// A reply carries the uploads it names, read back from storage with their
// name, type and size; an upload that is not the caller's, not stored, too
// large or of another type is a 400 naming it, and nothing is sent.
func TestReplyAttachments(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		form := func(who string) string {
			t.Helper()
			var u upload
			decode(t, f.do(t, "POST", "/api/uploads", who, `{"name":"plan.pdf","content_type":"application/pdf","size":5}`), &u)
			return u.UploadID
		}
		good := form("bob")
		f.files.put("attachments/uploads/bob/"+good, 5, "application/pdf", "Plan für Q1.pdf")
		r := f.do(t, "POST", "/api/tickets/1/replies", "bob", `{"text":"Here is the plan","attachments":["`+good+`"]}`)
		if r.status != 201 {
			t.Fatalf("reply: %d %s", r.status, r.raw)
		}
		var msg struct {
			Attachments []struct {
				Name, Key   string
				ContentType string `json:"content_type"`
				Size        int64
			}
		}
		decode(t, r, &msg)
		if a := msg.Attachments; len(a) != 1 || a[0].Name != "Plan für Q1.pdf" || a[0].Key != "attachments/uploads/bob/"+good ||
			a[0].ContentType != "application/pdf" || a[0].Size != 5 {
			t.Fatalf("reply's attachments %+v", msg.Attachments)
		}
		if len(f.out.jobs) != 1 {
			t.Fatalf("jobs %v", f.out.jobs)
		}
		// The timeline gives the sent file as a link.
		var p timelinePage
		decode(t, f.do(t, "GET", "/api/tickets/1/timeline?kind=message", "bob", ""), &p)
		if a := p.Entries[0].Message.Attachments; len(a) != 1 || !strings.HasPrefix(a[0].URL, "https://files.test/attachments/uploads/bob/"+good) {
			t.Fatalf("reply in the timeline: %+v", p.Entries[0].Message)
		}

		annUpload := form("ann")
		f.files.put("attachments/uploads/ann/"+annUpload, 5, "application/pdf", "ann.pdf")
		big, html, posted := form("bob"), form("bob"), form("bob")
		f.files.put("attachments/uploads/bob/"+big, 10<<20+1, "application/pdf", "big.pdf")
		f.files.put("attachments/uploads/bob/"+html, 5, "text/html", "x.html")
		f.files.put("attachments/uploads/bob/"+posted, 5, "application/pdf", "ok.pdf")
		many := make([]string, 11)
		for i := range many {
			many[i] = fmt.Sprintf("%032x", i)
		}
		manyJSON, _ := json.Marshal(many)
		for _, c := range []struct{ name, atts, want string }{
			{"another agent's upload", `["` + annUpload + `"]`, "upload_unknown"},
			{"an upload never posted", `["` + form("bob") + `"]`, "upload_unknown"},
			{"an id no upload has", `["../ann/` + annUpload + `"]`, "upload_unknown"},
			{"an upper-case id", `["` + strings.ToUpper(posted) + `"]`, "upload_unknown"},
			{"a file over the limit", `["` + posted + `","` + big + `"]`, "upload_too_large"},
			{"a type not allowed", `["` + html + `"]`, "file_type_not_allowed"},
			{"one upload twice", `["` + posted + `","` + posted + `"]`, "duplicate_attachment"},
			{"too many", string(manyJSON), "too_many_attachments"},
		} {
			r := f.do(t, "POST", "/api/tickets/1/replies", "bob", `{"text":"x","attachments":`+c.atts+`}`)
			if r.status != 400 || reason(r) != c.want {
				t.Errorf("%s: %d %s, want 400 %s", c.name, r.status, r.raw, c.want)
			}
			if c.want != "too_many_attachments" && c.want != "duplicate_attachment" && !strings.Contains(r.raw, "attachments[") {
				t.Errorf("%s: the error does not name the field: %s", c.name, r.raw)
			}
		}
		if len(f.out.jobs) != 1 {
			t.Fatalf("a refused reply published: %v", f.out.jobs)
		}
	})
}
