package graphfake

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// mediaInfo answers GET /{version}/{media-id} like the Cloud API: metadata
// and a download URL (on the fake, standing in for lookaside.fbsbx.com).
func (f *Fake) mediaInfo(r *http.Request, req Request, id string) route {
	rt := route{kind: KindMedia, account: id}
	f.mu.Lock()
	m, ok := f.media[id]
	f.mu.Unlock()
	switch {
	case r.Method != http.MethodGet:
		rt.fail = invalidParam("Unsupported %s request on /%s", strings.ToLower(r.Method), id)
	case !ok:
		rt.fail = unknownObject("get", id)
	case req.Token != m.token:
		rt.fail = badToken("Cannot parse access token")
	case len(req.Body) > 0:
		rt.fail = waInvalidParam("a GET request has no body")
	}
	for k := range r.URL.Query() {
		if rt.fail == nil && k != "phone_number_id" {
			rt.fail = waInvalidParam("Unknown parameter %q (the media endpoint takes only phone_number_id)", k)
		}
	}
	if rt.fail != nil {
		return rt
	}
	sum := sha256.Sum256(m.data)
	base := baseURL(r)
	rt.commit = func() *Response {
		q := url.Values{"mid": {id}, "ext": {"1"}, "hash": {hex.EncodeToString(sum[:6])}}
		return okJSON(map[string]any{
			"messaging_product": "whatsapp",
			"url":               base + "/whatsapp_business/attachments/?" + q.Encode(),
			"mime_type":         m.mime,
			"sha256":            hex.EncodeToString(sum[:]),
			"file_size":         len(m.data),
			"id":                id,
		})
	}
	return rt
}

// mediaDownload serves the bytes behind a media URL; like Meta's it needs
// the bearer token the media belongs to.
func (f *Fake) mediaDownload(r *http.Request, req Request) route {
	id := r.URL.Query().Get("mid")
	rt := route{kind: KindMediaDownload, account: id}
	f.mu.Lock()
	m, ok := f.media[id]
	f.mu.Unlock()
	switch {
	case r.Method != http.MethodGet:
		rt.fail = invalidParam("Unsupported %s request", strings.ToLower(r.Method))
	case req.Token == "":
		rt.fail = badToken("Cannot parse access token")
	case !ok:
		rt.fail = ErrorResponse(http.StatusNotFound, 100, 33, "media not found")
	case req.Token != m.token:
		rt.fail = badToken("Cannot parse access token")
	}
	if rt.fail != nil {
		return rt
	}
	rt.commit = func() *Response {
		return &Response{
			Status: http.StatusOK,
			Header: http.Header{"Content-Type": {m.mime}, "Content-Length": {strconv.Itoa(len(m.data))}},
			Body:   m.data,
		}
	}
	return rt
}
