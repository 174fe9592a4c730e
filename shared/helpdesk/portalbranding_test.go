package helpdesk_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The portal's branding: colours #rrggbb, the logo an https URL or a path of
// the portal's own site, a one-line name; empty fields are allowed (the
// name defaults to "Support").
func TestPortalBrandingIsValidated(t *testing.T) {
	for _, c := range []struct {
		b      helpdesk.PortalBranding
		reason string // "" = valid
	}{
		{helpdesk.PortalBranding{}, ""},
		{helpdesk.PortalBranding{Name: "Acme Help", LogoURL: "https://cdn.acme.example/logo.svg?v=2", PrimaryColor: "#0a0B0c", AccentColor: "#FFFFFF"}, ""},
		{helpdesk.PortalBranding{LogoURL: "/portal/brand/logo.png"}, ""},
		{helpdesk.PortalBranding{PrimaryColor: "red"}, "invalid_portal_primary_color"},
		{helpdesk.PortalBranding{PrimaryColor: "#12345"}, "invalid_portal_primary_color"},
		{helpdesk.PortalBranding{AccentColor: "#12345g"}, "invalid_portal_accent_color"},
		{helpdesk.PortalBranding{AccentColor: "#1234567"}, "invalid_portal_accent_color"},
		{helpdesk.PortalBranding{LogoURL: "http://acme.example/logo.png"}, "invalid_portal_logo"},
		{helpdesk.PortalBranding{LogoURL: "javascript:alert(1)"}, "invalid_portal_logo"},
		{helpdesk.PortalBranding{LogoURL: "data:image/svg+xml;base64,AAAA"}, "invalid_portal_logo"},
		{helpdesk.PortalBranding{LogoURL: "//evil.example/logo.png"}, "invalid_portal_logo"},
		{helpdesk.PortalBranding{LogoURL: "https://user:pw@acme.example/logo.png"}, "invalid_portal_logo"},
		{helpdesk.PortalBranding{LogoURL: "https:///logo.png"}, "invalid_portal_logo"},
		{helpdesk.PortalBranding{LogoURL: "logo.png"}, "invalid_portal_logo"},
		{helpdesk.PortalBranding{LogoURL: "https://acme.example/" + strings.Repeat("a", helpdesk.MaxPortalLogo)}, "invalid_portal_logo"},
		{helpdesk.PortalBranding{Name: "Acme\nHelp"}, "invalid_portal_name"},
		{helpdesk.PortalBranding{Name: "<b>Acme</b>"}, "invalid_portal_name"},
		{helpdesk.PortalBranding{Name: strings.Repeat("a", helpdesk.MaxPortalName+1)}, "invalid_portal_name"},
	} {
		set := helpdesk.DefaultSettings()
		set.Portal = c.b
		err := set.Validate()
		var he *helpdesk.Error
		switch {
		case c.reason == "" && err != nil:
			t.Errorf("%+v: %v, want valid", c.b, err)
		case c.reason != "" && (!errors.As(err, &he) || he.Reason != c.reason || he.Code != helpdesk.EInvalid):
			t.Errorf("%+v: %v, want %s", c.b, err, c.reason)
		}
	}
	if got := (helpdesk.PortalBranding{}).WithDefaults().Name; got != "Support" {
		t.Errorf("default name %q", got)
	}
	if got := (helpdesk.PortalBranding{Name: "Acme"}).WithDefaults().Name; got != "Acme" {
		t.Errorf("a given name became %q", got)
	}
}
