package portal

import (
	"net/http"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/uploads"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// upload hands the customer a form to upload one attachment straight to
// the bucket (the agent API's rule: shared/app/uploads), under their own
// prefix: an upload id names a file for the customer it was given to only.
func (a *API) upload(w http.ResponseWriter, r *http.Request, s session) error {
	ctx := r.Context()
	if err := a.limitActions(ctx, s); err != nil {
		return err
	}
	if a.Uploads == nil {
		return helpdesk.Errorf(helpdesk.EUnavailable, "files_unavailable", "file uploads are not configured")
	}
	var req uploads.Request
	if err := readJSON(r, maxBody, &req); err != nil {
		return err
	}
	form, err := uploads.NewForm(ctx, a.Uploads, req, func(id string) string { return portalUploadKey(s.contactID, id) }, a.now())
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusCreated, form)
	return nil
}

// portalUploadKey is where a customer's upload is kept.
func portalUploadKey(contactID, uploadID string) string {
	return helpdesk.PortalUploadPrefix(contactID) + uploadID
}
