// Package uploads hands out uploads of attachments and reads them back:
// the one rule for agents' reply attachments (the agent API) and
// customers' portal attachments (the portal API, then the router). The
// browser posts the file to the bucket itself, with a presigned POST whose
// policy S3 enforces (key, type, size); when a message names the upload,
// it is read back (HeadObject) and checked again: of an allowed type and
// size, under the key its owner's prefix gives.
package uploads

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

const (
	// MaxSize is the largest file one may attach.
	MaxSize = 10 << 20
	// TTL is how long an upload form works.
	TTL = 15 * time.Minute
	// MaxFileName bounds an attachment's name.
	MaxFileName = 255
)

// Types are the types one may attach: documents and images customers and
// agents can open, nothing executable or scriptable (no HTML, no SVG).
var Types = []string{
	"application/pdf", "text/plain", "text/csv",
	"image/png", "image/jpeg", "image/gif", "image/webp",
	"application/zip",
	"application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
}

// Presigner makes upload forms (s3files.Links).
type Presigner interface {
	UploadForm(ctx context.Context, key, contentType string, maxSize int64, meta map[string]string, ttl time.Duration) (string, map[string]string, error)
}

// Stater reads an object's size, type and metadata (s3files.Links); no
// such object is helpdesk.ErrNotFound.
type Stater interface {
	Stat(ctx context.Context, key string) (size int64, contentType string, meta map[string]string, err error)
}

// Request asks for a form to upload one file.
type Request struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
}

// Form is a presigned POST: post Fields, then the file as the form's last
// field "file", to URL before ExpiresAt; then name UploadID in a message's
// attachments.
type Form struct {
	UploadID  string            `json:"upload_id"`
	URL       string            `json:"url"`
	Fields    map[string]string `json:"fields"`
	ExpiresAt time.Time         `json:"expires_at"`
	MaxSize   int64             `json:"max_size"`
}

// NewForm checks req and makes its upload form, stored under key(the new
// upload id): the caller's own prefix.
func NewForm(ctx context.Context, p Presigner, req Request, key func(uploadID string) string, now time.Time) (Form, error) {
	if err := CheckName("name", req.Name); err != nil {
		return Form{}, err
	}
	ct, err := AllowedType("content_type", req.ContentType)
	if err != nil {
		return Form{}, err
	}
	if req.Size < 1 || req.Size > MaxSize {
		return Form{}, helpdesk.Errorf(helpdesk.EInvalid, "upload_too_large", "size: a file of 1 byte to %d MB", MaxSize>>20)
	}
	id := NewID()
	// The name rides in the object's metadata, %-encoded: S3 metadata is
	// ASCII, names are not.
	u, fields, err := p.UploadForm(ctx, key(id), ct, MaxSize, map[string]string{"name": url.PathEscape(req.Name)}, TTL)
	if err != nil {
		return Form{}, err
	}
	return Form{UploadID: id, URL: u, Fields: fields, ExpiresAt: now.Add(TTL).UTC(), MaxSize: MaxSize}, nil
}

// NewID is a new upload id: 32 lower-case hex digits.
func NewID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand does not fail (Go 1.24)
	return hex.EncodeToString(b)
}

// ValidID reports whether id is an upload id's form.
func ValidID(id string) bool {
	if len(id) != 32 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil && strings.ToLower(id) == id
}

// CheckName refuses a file name that is blank, too long or has control
// characters.
func CheckName(field, name string) error {
	if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > MaxFileName || !utf8.ValidString(name) ||
		strings.ContainsFunc(name, unicode.IsControl) {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_file_name", "%s: a file name of 1 to %d characters, no control characters", field, MaxFileName)
	}
	return nil
}

// AllowedType parses a media type and checks it against Types.
func AllowedType(field, ct string) (string, error) {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || !slices.Contains(Types, mt) {
		return "", helpdesk.Errorf(helpdesk.EInvalid, "file_type_not_allowed", "%s: %q is not a type that may be attached (allowed: %s)",
			field, helpdesk.TruncateRunes(ct, 100, "..."), strings.Join(Types, ", "))
	}
	return mt, nil
}

// Read reads back the upload stored under key as an attachment; one that
// is not there (never posted, or not under the caller's prefix) is a 400
// upload_unknown, one out of bounds a 400 naming why.
func Read(ctx context.Context, s Stater, field, key string) (helpdesk.Attachment, error) {
	size, ct, meta, err := s.Stat(ctx, key)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return helpdesk.Attachment{}, helpdesk.Errorf(helpdesk.EInvalid, "upload_unknown", "%s: no upload of yours has that id (or it was not posted)", field)
	case err != nil:
		return helpdesk.Attachment{}, err
	case size > MaxSize || size < 1:
		// S3 enforces the form's range; this holds where it does not.
		return helpdesk.Attachment{}, helpdesk.Errorf(helpdesk.EInvalid, "upload_too_large", "%s: the file has %d bytes, at most %d MB", field, size, MaxSize>>20)
	}
	if ct, err = AllowedType(field, ct); err != nil {
		return helpdesk.Attachment{}, err
	}
	name, err := url.PathUnescape(meta["name"])
	if err != nil || CheckName(field, name) != nil {
		name = "attachment"
	}
	return helpdesk.Attachment{Name: name, ContentType: ct, Size: size, Key: key}, nil
}

// ReadAll reads back the uploads a message names (key gives an upload
// id's key: the caller's own prefix): at most maxFiles, maxBytes in all,
// each once; any upload that is not the caller's, not there, or out of
// bounds is a 400 naming it. s may be nil when ids is empty.
func ReadAll(ctx context.Context, s Stater, ids []string, key func(uploadID string) string, maxFiles int, maxBytes int64) ([]helpdesk.Attachment, error) {
	if len(ids) > maxFiles {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "too_many_attachments", "attachments: at most %d files", maxFiles)
	}
	if len(ids) > 0 && s == nil {
		return nil, helpdesk.Errorf(helpdesk.EUnavailable, "files_unavailable", "file uploads are not configured")
	}
	var atts []helpdesk.Attachment
	var total int64
	for i, id := range ids {
		field := fmt.Sprintf("attachments[%d]", i)
		switch {
		case !ValidID(id):
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "upload_unknown", "%s: no upload of yours has that id (or it was not posted)", field)
		case slices.Index(ids, id) < i:
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "duplicate_attachment", "%s: the same upload twice", field)
		}
		att, err := Read(ctx, s, field, key(id))
		if err != nil {
			return nil, err
		}
		if total += att.Size; total > maxBytes {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "attachments_too_large", "attachments: at most %d MB in all", maxBytes>>20)
		}
		atts = append(atts, att)
	}
	return atts, nil
}
