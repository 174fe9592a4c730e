package graphapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func TestMediaAndDownload(t *testing.T) {
	f, c := setup(t)
	data := []byte("\x89PNG fake image bytes")
	f.AddMedia("3003", "image/png", data, waToken)
	ctx := context.Background()

	info, err := c.Media(ctx, waToken, "3003")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if info.ID != "3003" || info.MimeType != "image/png" || info.FileSize != int64(len(data)) ||
		info.SHA256 != hex.EncodeToString(sum[:]) || !strings.HasPrefix(info.URL, f.URL+"/") {
		t.Fatalf("info = %+v", info)
	}
	got, err := c.DownloadMedia(ctx, waToken, info, 1<<20)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("DownloadMedia = %q, %v", got, err)
	}
	got, err = c.Download(ctx, waToken, info.URL, int64(len(data)))
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("Download at exactly the limit = %q, %v", got, err)
	}
	for _, r := range f.Requests() {
		if r.Token != waToken || r.Query.Has("access_token") {
			t.Errorf("request %s: token %q, query %v", r.Path, r.Token, r.Query)
		}
	}

	// Too large: refused from the metadata without a request, and from the body.
	n := len(f.Requests())
	if _, err := c.DownloadMedia(ctx, waToken, info, 4); helpdesk.ErrorReason(err) != "media_too_large" {
		t.Errorf("DownloadMedia over max: %v", err)
	}
	if len(f.Requests()) != n {
		t.Error("DownloadMedia over max still downloaded")
	}
	if _, err := c.Download(ctx, waToken, info.URL, int64(len(data)-1)); helpdesk.ErrorCode(err) != helpdesk.EInvalid || helpdesk.ErrorReason(err) != "media_too_large" {
		t.Errorf("Download over max: %v", err)
	}

	// A body that does not match its sha256.
	f.Script(func(r graphfake.Request) *graphfake.Response {
		if r.Kind == graphfake.KindMediaDownload {
			return &graphfake.Response{Status: 200, Body: []byte("tampered")}
		}
		return nil
	})
	if _, err := c.DownloadMedia(ctx, waToken, info, 1<<20); helpdesk.ErrorReason(err) != "media_checksum_mismatch" {
		t.Errorf("tampered body: %v", err)
	}
	f.Script(nil)

	// Errors.
	if _, err := c.Media(ctx, waToken, "9999"); !isGraphCode(err, 100) {
		t.Errorf("unknown media: %v", err)
	}
	if _, err := c.Media(ctx, pageToken, "3003"); !isGraphCode(err, 190) {
		t.Errorf("wrong token: %v", err)
	}
	if _, err := c.Download(ctx, pageToken, info.URL, 1<<20); !isGraphCode(err, 190) {
		t.Errorf("download with wrong token: %v", err)
	}
	if _, err := c.Download(ctx, waToken, "https://attacker.example.com/x", 1<<20); helpdesk.ErrorReason(err) != "media_url_untrusted" {
		t.Errorf("untrusted host: %v", err)
	}
	if _, err := c.Download(ctx, waToken, strings.Replace(info.URL, "127.0.0.1", "localhost", 1), 1<<20); helpdesk.ErrorReason(err) != "media_url_untrusted" {
		t.Errorf("other host than BaseURL: %v", err)
	}
	if _, err := c.Download(ctx, waToken, info.URL, 0); helpdesk.ErrorCode(err) != helpdesk.EInternal {
		t.Errorf("zero limit: %v", err)
	}
}

func isGraphCode(err error, code int) bool {
	ge, ok := err.(*graphapi.Error)
	return ok && ge.Code == code
}

// TestMediaFileSizeAsString: Meta's references show file_size as a number
// and as a string; both decode.
func TestMediaFileSizeAsString(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1","mime_type":"audio/ogg","sha256":"ABCD","file_size":"5291","id":"1"}`))
	}))
	defer srv.Close()
	info, err := graphapi.New(srv.URL, "", nil).Media(context.Background(), "t", "1")
	if err != nil {
		t.Fatal(err)
	}
	if info.FileSize != 5291 || info.SHA256 != "abcd" || info.MimeType != "audio/ogg" {
		t.Errorf("info = %+v", info)
	}
}
