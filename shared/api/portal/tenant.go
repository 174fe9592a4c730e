package portal

import (
	"net/http"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
)

// Tenant is the portal's branding: what its pages show before anyone
// signs in (settings' Portal, defaulted).
type Tenant struct {
	Name         string `json:"name"`
	LogoURL      string `json:"logo_url,omitempty"`
	PrimaryColor string `json:"primary_color,omitempty"`
	AccentColor  string `json:"accent_color,omitempty"`
}

// getTenant answers the tenant's name, logo and colours. Public: the
// sign-in page shows them. Only the branding leaves; nothing else of the
// settings does.
func (a *API) getTenant(w http.ResponseWriter, r *http.Request) error {
	set, err := a.settings(r.Context())
	if err != nil {
		return err
	}
	b := set.Portal.WithDefaults()
	// A short shared cache: every page load asks, and a change may take a
	// few minutes to show.
	w.Header().Set("Cache-Control", "public, max-age=300")
	httpjson.Write(w, http.StatusOK, Tenant{Name: b.Name, LogoURL: b.LogoURL, PrimaryColor: b.PrimaryColor, AccentColor: b.AccentColor})
	return nil
}
