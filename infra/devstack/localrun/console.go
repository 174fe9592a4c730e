package localrun

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
)

// ConsoleConfig is the agent console's /config.json: where its API and its
// user pool are. CloudFront serves the same shape from the console bucket.
type ConsoleConfig struct {
	APIBaseURL string        `json:"apiBaseUrl"` // "" is the console's own origin
	Cognito    CognitoConfig `json:"cognito"`
	TenantName string        `json:"tenantName"`
}

// CognitoConfig is the user pool the console signs in with.
type CognitoConfig struct {
	Region     string `json:"region"`
	UserPoolID string `json:"userPoolId"`
	ClientID   string `json:"clientId"`
	// Endpoint takes Cognito's JSON API: locally the same-origin proxy of
	// the emulator (ConsoleCognitoPath), so the browser needs no CORS.
	Endpoint string `json:"endpoint"`
}

// ConsoleCognitoPath is where the local stack proxies the console's Cognito
// calls to the emulator.
const ConsoleCognitoPath = "/local/cognito"

// consoleCognitoActions are the Cognito calls the console makes; the proxy
// passes no other (the emulator's admin calls stay off the browser's reach).
var consoleCognitoActions = map[string]bool{
	"InitiateAuth": true, "RespondToAuthChallenge": true, "GlobalSignOut": true, "RevokeToken": true, "GetUser": true,
}

// ConsoleConfig is what the local stack's /config.json answers.
func (r *Runner) ConsoleConfig(region string) ConsoleConfig {
	return ConsoleConfig{TenantName: r.cfg.Tenant, Cognito: CognitoConfig{Region: region, UserPoolID: r.pool,
		ClientID: r.client, Endpoint: ConsoleCognitoPath}}
}

// registerConsole adds /config.json, the Cognito proxy and, when dir is set,
// the built console (web/dist) at / with the single-page app's fallback.
func (r *Runner) registerConsole(mux *http.ServeMux, region, dir string) error {
	cfg := r.ConsoleConfig(region)
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		httpjson.Write(w, http.StatusOK, cfg)
	})
	target, err := url.Parse(cognitoEndpoint())
	if err != nil {
		return err
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
		pr.SetURL(target)
		pr.Out.URL.Path, pr.Out.URL.RawPath = "/", ""
		pr.Out.Header.Del("Cookie")
		pr.Out.Header.Del("Authorization") // unsigned: moto finds Cognito by X-Amz-Target
	}}
	cognito := func(w http.ResponseWriter, req *http.Request) {
		service, action, _ := strings.Cut(req.Header.Get("X-Amz-Target"), ".")
		if service != "AWSCognitoIdentityProviderService" || !consoleCognitoActions[action] {
			httpjson.Write(w, http.StatusBadRequest, map[string]string{"__type": "InvalidAction", "message": "the console's Cognito calls only"})
			return
		}
		proxy.ServeHTTP(w, req)
	}
	mux.HandleFunc("POST "+ConsoleCognitoPath, cognito)
	mux.HandleFunc("POST "+ConsoleCognitoPath+"/", cognito)
	if dir == "" {
		return nil
	}
	mux.Handle("GET /", consoleFiles(dir))
	return nil
}

// consoleFiles serves the built console: its files as they are (hashed
// assets cached for good), and index.html for any other path outside the
// API's, so a deep link such as /tickets/42 opens the app there.
func consoleFiles(dir string) http.Handler {
	files := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := path.Clean("/" + req.URL.Path)
		for _, reserved := range []string{"/api/", "/local/", "/forms/", "/messenger/", "/whatsapp/"} {
			if strings.HasPrefix(p+"/", reserved) {
				http.NotFound(w, req)
				return
			}
		}
		if p != "/" {
			if st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p))); err == nil && !st.IsDir() {
				if strings.HasPrefix(p, "/assets/") {
					w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
				}
				files.ServeHTTP(w, req)
				return
			}
		}
		index, err := os.ReadFile(filepath.Join(dir, "index.html"))
		if err != nil {
			http.Error(w, "the console is not built: run `make web`", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, req, "index.html", consoleBuilt(dir), bytes.NewReader(index))
	})
}

// ConsoleDist finds web/dist of the module this runs in (from the working
// directory up to go.mod), for `make run` and the browser tests.
func ConsoleDist() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "web", "dist"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

func consoleBuilt(dir string) (t time.Time) {
	if st, err := os.Stat(filepath.Join(dir, "index.html")); err == nil {
		t = st.ModTime()
	}
	return t
}
