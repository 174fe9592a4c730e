package graphfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
)

var versionRE = regexp.MustCompile(`^v[0-9]+\.[0-9]+$`)

// route is the outcome of checking a request: either fail (a check failed)
// or commit, which records the effect (a sent message) and builds the
// success answer. commit runs only when no Script or FailNext answer wins.
type route struct {
	kind, account string
	fail          *Response
	commit        func() *Response
}

// ServeHTTP checks, records and answers one request.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	req := Request{
		Method:      r.Method,
		Path:        r.URL.Path,
		Query:       r.URL.Query(),
		Token:       bearer(r.Header.Get("Authorization")),
		ContentType: r.Header.Get("Content-Type"),
		Body:        body,
	}
	var rt route
	switch {
	case err != nil:
		rt.fail = invalidParam("could not read the request body: %v", err)
	case len(body) > maxBody:
		rt.fail = invalidParam("request body is over %d bytes", maxBody)
	default:
		rt = f.route(r, req)
	}
	req.Kind, req.AccountID = rt.kind, rt.account

	resp := rt.fail
	if resp == nil {
		resp = f.override(req, rt.kind)
	}
	if resp == nil {
		resp = rt.commit()
	}
	status, header, out := f.prepare(rt.kind, resp)
	req.Status = status
	f.mu.Lock()
	f.requests = append(f.requests, req)
	f.mu.Unlock()

	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// override returns the Script's answer, else a queued FailNext answer for a
// send, else nil.
func (f *Fake) override(req Request, kind string) *Response {
	f.mu.Lock()
	script := f.script
	f.mu.Unlock()
	if script != nil {
		if resp := script(req.clone()); resp != nil {
			return resp
		}
	}
	if kind != KindMessenger && kind != KindWhatsApp {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.fails) == 0 {
		return nil
	}
	resp := f.fails[0]
	f.fails = f.fails[1:]
	return resp
}

func (f *Fake) route(r *http.Request, req Request) route {
	path := r.URL.Path
	if path == "/whatsapp_business/attachments/" || path == "/whatsapp_business/attachments" {
		return f.mediaDownload(r, req)
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) < 2 || len(parts) > 3 || !versionRE.MatchString(parts[0]) {
		return route{fail: unknownPath(path)}
	}
	if f.Version != "" && parts[0] != f.Version {
		return route{fail: invalidParam("API version %s is not the one this fake serves (%s)", parts[0], f.Version)}
	}
	if r.URL.Query().Has("access_token") {
		// Meta accepts it, our policy does not: a token in a URL ends up in logs.
		return route{fail: invalidParam("access_token must be sent in the Authorization header, not in the URL (graphfake policy)")}
	}
	id := parts[1]
	if id == "" {
		return route{fail: unknownPath(path)}
	}
	if req.Token == "" {
		return route{fail: badToken("Cannot parse access token")}
	}
	if len(parts) == 3 {
		if parts[2] != "messages" {
			return route{fail: unknownPath(path)}
		}
		return f.send(r, req, id)
	}
	if rt, ok := f.profileRoute(r, req, id); ok {
		return rt
	}
	return f.mediaInfo(r, req, id)
}

// send checks what is common to both send endpoints, then the body.
func (f *Fake) send(r *http.Request, req Request, id string) route {
	f.mu.Lock()
	pageToken, isPage := f.pages[id]
	phoneToken, isPhone := f.phones[id]
	f.mu.Unlock()
	rt := route{account: id}
	var token string
	switch {
	case isPage:
		rt.kind, token = KindMessenger, pageToken
	case isPhone:
		rt.kind, token = KindWhatsApp, phoneToken
	default:
		rt.fail = unknownObject(strings.ToLower(r.Method), id)
		return rt
	}
	if r.Method != http.MethodPost {
		rt.fail = invalidParam("Unsupported %s request on /%s/messages", strings.ToLower(r.Method), id)
		return rt
	}
	if req.Token != token {
		rt.fail = badToken("Cannot parse access token")
		return rt
	}
	if len(r.URL.Query()) > 0 {
		rt.fail = invalidParam("send parameters belong in the JSON body, not the URL query (graphfake policy)")
		return rt
	}
	if mt, _, err := mime.ParseMediaType(req.ContentType); err != nil || mt != "application/json" {
		rt.fail = invalidParam("Content-Type must be application/json, got %q", req.ContentType)
		return rt
	}
	if rt.kind == KindMessenger {
		rt.fail, rt.commit = f.checkMessenger(req, id)
	} else {
		rt.fail, rt.commit = f.checkWhatsApp(req, id)
	}
	return rt
}

// decodeStrict decodes one JSON object into v, refusing unknown fields (at
// any depth) and anything after the object.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON object")
	}
	return nil
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(h string) string {
	const prefix = "bearer "
	if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
		return strings.TrimSpace(h[len(prefix):])
	}
	return ""
}

// prepare renders resp for a request of the given kind.
func (f *Fake) prepare(kind string, resp *Response) (int, http.Header, []byte) {
	status := resp.Status
	if status == 0 {
		status = http.StatusOK
	}
	header := http.Header{}
	for k, v := range resp.Header {
		header[k] = append([]string(nil), v...)
	}
	body := resp.Body
	if e := resp.errSpec; e != nil {
		body = f.errorJSON(kind, e)
		header.Set("Content-Type", "application/json; charset=UTF-8")
	}
	return status, header, body
}

// okJSON is a 200 answer with v as JSON.
func okJSON(v any) *Response {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("graphfake: encoding an answer: %v", err))
	}
	return &Response{Status: http.StatusOK, Header: http.Header{"Content-Type": {"application/json; charset=UTF-8"}}, Body: b}
}

// baseURL is how the client reached the fake, for URLs the fake hands out.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
