package localrun

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// PortalPath is where the customer portal's pages are served; its API is
// under PortalPath + "api/".
const PortalPath = "/portal/"

// PortalLinkBase is the sign-in link a customer is mailed, before its token.
func PortalLinkBase(portalURL string) string {
	return strings.TrimSuffix(portalURL, "/") + PortalPath + "#/signin?token="
}

// registerPortal mounts the portal API (sign-in mail through the outbound
// queue, so the outbound sender mails it from the notification sender on
// moto's SES) and, when dir is set, the built portal (web/dist/portal) at
// /portal/ with help.js.
func (r *Runner) registerPortal(mux *http.ServeMux, dir string) {
	r.Portal.Register(mux)
	mux.Handle("GET "+PortalPath+"api/", http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		httpjson.Error(w, req, r.cfg.Log, helpdesk.Errorf(helpdesk.ENotFound, "no_such_route", "no such portal API route"))
	}))
	if dir == "" {
		return
	}
	mux.Handle("GET /portal", http.RedirectHandler(PortalPath, http.StatusMovedPermanently))
	mux.Handle("GET "+PortalPath, portalFiles(filepath.Join(dir, "portal")))
}

// portalFiles serves the built portal under /portal/: its files as they are
// (hashed assets cached for good; help.js, whose name is stable, briefly),
// and index.html for any other path.
func portalFiles(dir string) http.Handler {
	files := http.StripPrefix(strings.TrimSuffix(PortalPath, "/"), http.FileServer(http.Dir(dir)))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := strings.TrimPrefix(path.Clean("/"+req.URL.Path), strings.TrimSuffix(PortalPath, "/"))
		if p != "/" && p != "" {
			if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err == nil && !st.IsDir() {
				switch {
				case strings.HasPrefix(p, "/assets/"):
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				case p == "/help.js":
					w.Header().Set("Cache-Control", "public, max-age=300")
				}
				files.ServeHTTP(w, req)
				return
			}
		}
		index, err := os.ReadFile(filepath.Join(dir, "index.html"))
		if err != nil {
			http.Error(w, "the portal is not built: run `make web`", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, req, "index.html", consoleBuilt(dir), bytes.NewReader(index))
	})
}

// DemoSite is a tenant's website with the help button's script tag, served
// from another origin than the portal (make run: another port), so the
// button's cross-origin messages are checked as they are in production.
func DemoSite(portalURL string) http.Handler {
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, _ *http.Request) {
		var b bytes.Buffer
		if err := demoSitePage.Execute(&b, strings.TrimSuffix(portalURL, "/")+PortalPath+"help.js"); err != nil {
			http.Error(w, fmt.Sprint(err), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(b.Bytes())
	}
	mux.HandleFunc("GET /demo-site.html", page)
	mux.Handle("GET /{$}", http.RedirectHandler("/demo-site.html", http.StatusFound))
	return mux
}

var demoSitePage = template.Must(template.New("demo").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme Wombats</title></head>
<body>
<header><h1>Acme Wombats</h1></header>
<main><p>Our wombat crates ship worldwide. Questions? Use the Help button.</p></main>
<script src="{{.}}" async></script>
</body>
</html>
`))
