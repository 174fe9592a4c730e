package uploads_test

import (
	"context"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/uploads"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type bucket struct {
	keys    []string
	objects map[string]helpdesk.Attachment
}

func (b *bucket) UploadForm(_ context.Context, key, _ string, _ int64, _ map[string]string, _ time.Duration) (string, map[string]string, error) {
	b.keys = append(b.keys, key)
	return "https://bucket.example/", map[string]string{"key": key}, nil
}

func (b *bucket) Stat(_ context.Context, key string) (int64, string, map[string]string, error) {
	a, ok := b.objects[key]
	if !ok {
		return 0, "", nil, helpdesk.ErrNotFound
	}
	return a.Size, a.ContentType, map[string]string{"name": a.Name}, nil
}

func reason(err error) string {
	if e, ok := err.(*helpdesk.Error); ok {
		return e.Reason
	}
	return ""
}

// A form is made under the caller's key only for an allowed, bounded file;
// reading back finds only the caller's own posted uploads, each once.
func TestFormsAndReadBack(t *testing.T) {
	b := &bucket{objects: map[string]helpdesk.Attachment{}}
	key := func(id string) string { return "mine/" + id }
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		req    uploads.Request
		reason string
	}{
		{uploads.Request{Name: "a.html", ContentType: "text/html", Size: 1}, "file_type_not_allowed"},
		{uploads.Request{Name: "a.svg", ContentType: "image/svg+xml", Size: 1}, "file_type_not_allowed"},
		{uploads.Request{Name: " ", ContentType: "text/plain", Size: 1}, "invalid_file_name"},
		{uploads.Request{Name: "a.txt", ContentType: "text/plain", Size: uploads.MaxSize + 1}, "upload_too_large"},
	} {
		if _, err := uploads.NewForm(context.Background(), b, c.req, key, now); reason(err) != c.reason {
			t.Errorf("%+v: %v, want %s", c.req, err, c.reason)
		}
	}
	if len(b.keys) != 0 {
		t.Fatalf("forms made for refused requests: %v", b.keys)
	}
	f, err := uploads.NewForm(context.Background(), b, uploads.Request{Name: "r.pdf", ContentType: "application/pdf; x=y", Size: 10}, key, now)
	if err != nil || !uploads.ValidID(f.UploadID) || b.keys[0] != "mine/"+f.UploadID || !f.ExpiresAt.Equal(now.Add(uploads.TTL)) {
		t.Fatalf("form %+v, %v", f, err)
	}
	b.objects["mine/"+f.UploadID] = helpdesk.Attachment{Name: "r.pdf", ContentType: "application/pdf", Size: 10}
	b.objects["theirs/"+f.UploadID] = helpdesk.Attachment{Name: "x.pdf", ContentType: "application/pdf", Size: 10}
	atts, err := uploads.ReadAll(context.Background(), b, []string{f.UploadID}, key, 10, 100)
	if err != nil || len(atts) != 1 || atts[0].Key != "mine/"+f.UploadID || atts[0].Name != "r.pdf" {
		t.Fatalf("read back %+v, %v", atts, err)
	}
	other := "0123456789abcdef0123456789abcdef"
	b.objects["theirs/"+other] = helpdesk.Attachment{Name: "x.pdf", ContentType: "application/pdf", Size: 10}
	for _, c := range []struct {
		ids    []string
		reason string
	}{
		{[]string{other}, "upload_unknown"},
		{[]string{"NOTHEX"}, "upload_unknown"},
		{[]string{f.UploadID, f.UploadID}, "duplicate_attachment"},
		{[]string{f.UploadID, f.UploadID, f.UploadID}, "too_many_attachments"},
	} {
		if _, err := uploads.ReadAll(context.Background(), b, c.ids, key, 2, 100); reason(err) != c.reason {
			t.Errorf("%v: %v, want %s", c.ids, err, c.reason)
		}
	}
	if _, err := uploads.ReadAll(context.Background(), b, []string{f.UploadID}, key, 2, 5); reason(err) != "attachments_too_large" {
		t.Errorf("over the total: %v", err)
	}
}
