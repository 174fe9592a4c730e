package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file hands out uploads of reply attachments and turns a reply's
// upload ids into the attachments it sends. The browser posts the file to
// the bucket itself, with a presigned POST whose policy S3 enforces (key,
// type, size); when a reply names the upload, the API reads it back
// (HeadObject) and checks it again: it must be under the caller's own
// prefix, of an allowed type and size.

const (
	// MaxUpload is the largest file an agent may attach.
	MaxUpload = 10 << 20
	// maxReplyFiles and maxReplyBytes bound one reply's attachments (the
	// sender takes 30 MB; SES's raw message limit is 40 MB).
	maxReplyFiles = 10
	maxReplyBytes = 25 << 20
	// uploadTTL is how long an upload form works.
	uploadTTL = 15 * time.Minute
	// maxFileName bounds an attachment's name.
	maxFileName = 255
	// uploadPrefix holds agents' uploads, under the attachments the
	// sender may read: attachments/uploads/<agent>/<upload id>.
	uploadPrefix = "attachments/uploads/"
)

// uploadTypes are the types an agent may attach: documents and images
// customers can open, nothing executable or scriptable (no HTML, no SVG).
var uploadTypes = []string{
	"application/pdf", "text/plain", "text/csv",
	"image/png", "image/jpeg", "image/gif", "image/webp",
	"application/zip",
	"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
}

// UploadRequest asks for a form to upload one file.
type UploadRequest struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Upload is a presigned POST: post Fields, then the file as the form's
// last field "file", to URL before ExpiresAt; then name UploadID in a
// reply's attachments.
type Upload struct {
	UploadID  string            `json:"upload_id"`
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	ExpiresAt time.Time         `json:"expires_at"`
	MaxSize   int64             `json:"max_size"`
}

func (a *API) upload(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	if err := mayWork(p, "answer customers, so they attach nothing"); err != nil {
		return err
	}
	if a.Files == nil {
		return helpdesk.Errorf(helpdesk.EUnavailable, "files_unavailable", "file uploads are not configured")
	}
	req, err := readObject[UploadRequest](r)
	if err != nil {
		return err
	}
	if err := checkFileName("name", req.Name); err != nil {
		return err
	}
	ct, err := allowedType("content_type", req.ContentType)
	if err != nil {
		return err
	}
	if req.Size < 1 || req.Size > MaxUpload {
		return helpdesk.Errorf(helpdesk.EInvalid, "upload_too_large", "size: a file of 1 byte to %d MB", MaxUpload>>20)
	}
	id := newUploadID()
	// The name rides in the object's metadata, %-encoded: S3 metadata is
	// ASCII, names are not.
	u, fields, err := a.Files.UploadForm(r.Context(), uploadKey(p.Agent.ID, id), ct, MaxUpload,
		map[string]string{"name": url.PathEscape(req.Name)}, uploadTTL)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, Upload{UploadID: id, URL: u, Fields: fields,
		ExpiresAt: a.now().Add(uploadTTL).UTC(), MaxSize: MaxUpload})
	return nil
}

// uploadKey is where an agent's upload is kept: under their own prefix,
// so an upload id is only ever found for the agent it was given to.
func uploadKey(agentID, uploadID string) string {
	return uploadPrefix + url.PathEscape(agentID) + "/" + uploadID
}

func newUploadID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand does not fail (Go 1.24)
	return hex.EncodeToString(b)
}

func validUploadID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

func checkFileName(field, name string) error {
	if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > maxFileName || !utf8.ValidString(name) ||
		strings.ContainsFunc(name, unicode.IsControl) {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_file_name", "%s: a file name of 1 to %d characters, no control characters", field, maxFileName)
	}
	return nil
}

// allowedType parses a media type and checks it against the allow-list.
func allowedType(field, ct string) (string, error) {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(uploadTypes, mt) {
		return "", helpdesk.Errorf(helpdesk.EInvalid, "file_type_not_allowed", "%s: %q is not a type agents may attach (allowed: %s)",
			field, helpdesk.TruncateRunes(ct, 100, "..."), strings.Join(uploadTypes, ", "))
	}
	return mt, nil
}

// attachments resolves a reply's uploads into attachments; any upload that
// is not the caller's, not there, or out of bounds is a 400 naming it.
func (a *API) attachments(r *http.Request, p helpdesk.Principal, ids []string) ([]helpdesk.Attachment, error) {
	if len(ids) > maxReplyFiles {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "too_many_attachments", "attachments: at most %d files", maxReplyFiles)
	}
	if len(ids) > 0 && a.Files == nil {
		return nil, helpdesk.Errorf(helpdesk.EUnavailable, "files_unavailable", "file uploads are not configured")
	}
	var atts []helpdesk.Attachment
	var total int64
	for i, id := range ids {
		field := fmt.Sprintf("attachments[%d]", i)
		if slices.Index(ids, id) < i {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "duplicate_attachment", "%s: the same upload twice", field)
		}
		att, err := a.uploaded(r.Context(), p, field, id)
		if err != nil {
			return nil, err
		}
		if total += att.Size; total > maxReplyBytes {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "attachments_too_large", "attachments: at most %d MB in all", maxReplyBytes>>20)
		}
		atts = append(atts, att)
	}
	return atts, nil
}

// uploaded reads back the caller's upload id.
func (a *API) uploaded(ctx context.Context, p helpdesk.Principal, field, id string) (helpdesk.Attachment, error) {
	unknown := helpdesk.Errorf(helpdesk.EInvalid, "upload_unknown", "%s: no upload of yours has that id (or it was not posted)", field)
	if !validUploadID(id) {
		return helpdesk.Attachment{}, unknown
	}
	key := uploadKey(p.Agent.ID, id)
	size, ct, meta, err := a.Files.Stat(ctx, key)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return helpdesk.Attachment{}, unknown
	case err != nil:
		return helpdesk.Attachment{}, err
	case size > MaxUpload || size < 1:
		// S3 enforces the form's range; this holds where it does not.
		return helpdesk.Attachment{}, helpdesk.Errorf(helpdesk.EInvalid, "upload_too_large", "%s: the file has %d bytes, at most %d MB", field, size, MaxUpload>>20)
	}
	if ct, err = allowedType(field, ct); err != nil {
		return helpdesk.Attachment{}, err
	}
	name, err := url.PathUnescape(meta["name"])
	if err != nil || checkFileName(field, name) != nil {
		name = "attachment"
	}
	return helpdesk.Attachment{Name: name, ContentType: ct, Size: size, Key: key}, nil
}
