package helpdesk

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// PortalBranding is how the customer portal's pages look: the tenant's
// name, logo and colours (Settings.Portal). Empty fields take the
// defaults (PortalBranding.WithDefaults).
type PortalBranding struct {
	Name string `json:"name,omitempty"`
	// LogoURL is an https URL, or a path on the portal's own site
	// ("/brand/logo.svg"): never a script or data URL.
	LogoURL      string `json:"logo_url,omitempty"`
	PrimaryColor string `json:"primary_color,omitempty"` // #rrggbb
	AccentColor  string `json:"accent_color,omitempty"`  // #rrggbb
}

// DefaultPortalName is the portal's name until an admin gives one.
const DefaultPortalName = "Support"

// Bounds of the branding's fields.
const (
	MaxPortalName = 100
	MaxPortalLogo = 2000
)

// WithDefaults fills what the admin left empty (the name; colours and
// logo stay unset, so the pages keep their own).
func (b PortalBranding) WithDefaults() PortalBranding {
	if strings.TrimSpace(b.Name) == "" {
		b.Name = DefaultPortalName
	}
	return b
}

func (b PortalBranding) validate() error {
	invalid := func(reason, format string, args ...any) error { return Errorf(EInvalid, reason, format, args...) }
	if !utf8.ValidString(b.Name) || utf8.RuneCountInString(b.Name) > MaxPortalName || strings.ContainsAny(b.Name, "\r\n<>") {
		return invalid("invalid_portal_name", "portal name: text of at most %d characters, on one line, without < or >", MaxPortalName)
	}
	if b.LogoURL != "" && !validLogo(b.LogoURL) {
		return invalid("invalid_portal_logo", "portal logo: an https URL or a path on the portal's site (/...), at most %d characters", MaxPortalLogo)
	}
	for _, c := range []struct{ reason, name, v string }{{"invalid_portal_primary_color", "primary", b.PrimaryColor}, {"invalid_portal_accent_color", "accent", b.AccentColor}} {
		if c.v != "" && !hexColor(c.v) {
			return invalid(c.reason, "portal %s colour: #rrggbb", c.name)
		}
	}
	return nil
}

// validLogo accepts an https URL with a host, or an absolute path of the
// portal's own site (not "//host", which is another site).
func validLogo(s string) bool {
	if len(s) > MaxPortalLogo || strings.ContainsAny(s, " \t\r\n\"'<>\\") {
		return false
	}
	if strings.HasPrefix(s, "/") {
		return !strings.HasPrefix(s, "//")
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "https" && u.Host != "" && u.User == nil
}

func hexColor(s string) bool {
	if len(s) != 7 || s[0] != '#' {
		return false
	}
	for _, c := range s[1:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
