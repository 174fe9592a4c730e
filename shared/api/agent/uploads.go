package agent

import (
	"net/http"
	"net/url"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/uploads"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file hands out uploads of reply attachments and turns a reply's
// upload ids into the attachments it sends (the rule itself is
// shared/app/uploads, which the portal uses too): each upload is under
// the caller's own prefix.

const (
	// MaxUpload is the largest file an agent may attach.
	MaxUpload = uploads.MaxSize
	// maxReplyFiles and maxReplyBytes bound one reply's attachments (the
	// sender takes 30 MB; SES's raw message limit is 40 MB).
	maxReplyFiles = 10
	maxReplyBytes = 25 << 20
	// uploadPrefix holds agents' uploads, under the attachments the
	// sender may read: attachments/uploads/<agent>/<upload id>.
	uploadPrefix = "attachments/uploads/"
)

// UploadRequest asks for a form to upload one file.
type UploadRequest = uploads.Request

// Upload is a presigned POST: post Fields, then the file as the form's
// last field "file", to URL before ExpiresAt; then name UploadID in a
// reply's attachments.
type Upload = uploads.Form

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
	form, err := uploads.NewForm(r.Context(), a.Files, *req, func(id string) string { return uploadKey(p.Agent.ID, id) }, a.now())
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, form)
	return nil
}

// uploadKey is where an agent's upload is kept: under their own prefix,
// so an upload id is only ever found for the agent it was given to.
func uploadKey(agentID, uploadID string) string {
	return uploadPrefix + url.PathEscape(agentID) + "/" + uploadID
}

// attachments resolves a reply's uploads into attachments; any upload that
// is not the caller's, not there, or out of bounds is a 400 naming it.
func (a *API) attachments(r *http.Request, p helpdesk.Principal, ids []string) ([]helpdesk.Attachment, error) {
	return uploads.ReadAll(r.Context(), a.Files, ids, func(id string) string { return uploadKey(p.Agent.ID, id) }, maxReplyFiles, maxReplyBytes)
}
