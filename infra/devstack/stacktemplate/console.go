package stacktemplate

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// headersPolicyProps is the part of an AWS::CloudFront::ResponseHeadersPolicy
// that decides the headers a response gets.
type headersPolicyProps struct {
	ResponseHeadersPolicyConfig struct {
		SecurityHeadersConfig struct {
			ContentSecurityPolicy *struct {
				ContentSecurityPolicy any
			}
			StrictTransportSecurity *struct {
				AccessControlMaxAgeSec int
				IncludeSubdomains      bool
				Preload                bool
			}
			ContentTypeOptions *struct{}
			FrameOptions       *struct{ FrameOption string }
			ReferrerPolicy     *struct{ ReferrerPolicy string }
			XSSProtection      *struct {
				Protection bool
				ModeBlock  bool
			}
		}
		CustomHeadersConfig *struct {
			Items []struct{ Header, Value string }
		}
	}
}

// ConsoleHeaders returns the headers the template's CloudFront
// response-headers policy ConsoleHeadersPolicy adds to the agent console's
// responses, with
// ${AWS::Region} and ${AWS::URLSuffix} resolved for region, so a local
// server can send the console exactly what CloudFront sends.
//
// local are the origins a local stack serves the API, Cognito and files
// from (http://127.0.0.1:8080 ...): each is added to connect-src, img-src
// and media-src, and, as they are plain HTTP, upgrade-insecure-requests and
// HSTS are left out.
func (t *Template) ConsoleHeaders(region string, local ...string) (http.Header, error) {
	const id = "ConsoleHeadersPolicy"
	res, ok := t.Resources[id]
	if !ok || res.Type != "AWS::CloudFront::ResponseHeadersPolicy" {
		return nil, fmt.Errorf("template has no response headers policy %s", id)
	}
	ids := []string{id}
	var p headersPolicyProps
	if err := json.Unmarshal(res.Properties, &p); err != nil {
		return nil, fmt.Errorf("response headers policy %s: %w", ids[0], err)
	}
	sec := p.ResponseHeadersPolicyConfig.SecurityHeadersConfig
	h := http.Header{}
	if c := sec.ContentSecurityPolicy; c != nil {
		csp, err := subPseudo(c.ContentSecurityPolicy, region)
		if err != nil {
			return nil, fmt.Errorf("response headers policy %s: ContentSecurityPolicy: %w", ids[0], err)
		}
		if len(local) > 0 {
			csp = localCSP(csp, local)
		}
		h.Set("Content-Security-Policy", csp)
	}
	if s := sec.StrictTransportSecurity; s != nil && len(local) == 0 {
		v := "max-age=" + strconv.Itoa(s.AccessControlMaxAgeSec)
		if s.IncludeSubdomains {
			v += "; includeSubDomains"
		}
		if s.Preload {
			v += "; preload"
		}
		h.Set("Strict-Transport-Security", v)
	}
	if sec.ContentTypeOptions != nil {
		h.Set("X-Content-Type-Options", "nosniff")
	}
	if f := sec.FrameOptions; f != nil {
		h.Set("X-Frame-Options", f.FrameOption)
	}
	if r := sec.ReferrerPolicy; r != nil {
		h.Set("Referrer-Policy", r.ReferrerPolicy)
	}
	if x := sec.XSSProtection; x != nil {
		switch {
		case !x.Protection:
			h.Set("X-XSS-Protection", "0")
		case x.ModeBlock:
			h.Set("X-XSS-Protection", "1; mode=block")
		default:
			h.Set("X-XSS-Protection", "1")
		}
	}
	if c := p.ResponseHeadersPolicyConfig.CustomHeadersConfig; c != nil {
		for _, it := range c.Items {
			h.Set(it.Header, it.Value)
		}
	}
	return h, nil
}

var subVar = regexp.MustCompile(`\$\{([^}]*)\}`)

// subPseudo resolves a literal or an `!Sub` string whose only variables are
// AWS::Region and AWS::URLSuffix; anything else cannot be known locally.
func subPseudo(v any, region string) (string, error) {
	s, ok := v.(string)
	if !ok {
		m, _ := v.(map[string]any)
		if s, ok = m["Fn::Sub"].(string); !ok {
			return "", fmt.Errorf("want a string or !Sub of a string, got %v", v)
		}
	}
	suffix := "amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		suffix = "amazonaws.com.cn"
	}
	var bad []string
	out := subVar.ReplaceAllStringFunc(s, func(m string) string {
		switch name := m[2 : len(m)-1]; name {
		case "AWS::Region":
			return region
		case "AWS::URLSuffix":
			return suffix
		default:
			bad = append(bad, name)
			return m
		}
	})
	if len(bad) > 0 {
		return "", fmt.Errorf("cannot resolve %v locally", bad)
	}
	return out, nil
}

// CSP is a Content-Security-Policy as directive -> sources, in order.
type CSP struct {
	Names   []string
	Sources map[string][]string
}

// ParseCSP splits a policy into its directives.
func ParseCSP(s string) CSP {
	c := CSP{Sources: map[string][]string{}}
	for _, d := range strings.Split(s, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		name := strings.ToLower(f[0])
		if _, dup := c.Sources[name]; dup {
			continue // the first one counts, as in browsers
		}
		c.Names = append(c.Names, name)
		c.Sources[name] = f[1:]
	}
	return c
}

// String renders the policy.
func (c CSP) String() string {
	parts := make([]string, 0, len(c.Names))
	for _, n := range c.Names {
		parts = append(parts, strings.Join(append([]string{n}, c.Sources[n]...), " "))
	}
	return strings.Join(parts, "; ")
}

func localCSP(s string, local []string) string {
	c := ParseCSP(s)
	c.Names = slices.DeleteFunc(c.Names, func(n string) bool { return n == "upgrade-insecure-requests" })
	delete(c.Sources, "upgrade-insecure-requests")
	for _, d := range []string{"connect-src", "img-src", "media-src"} {
		if _, ok := c.Sources[d]; ok {
			c.Sources[d] = append(c.Sources[d], local...)
		}
	}
	return c.String()
}

// Allows reports whether directive (falling back to default-src, as
// browsers do for fetch directives) lets a page of origin self load target,
// an absolute URL. It knows the source forms the console's policy uses:
// 'self', 'none', *, scheme sources (data:, blob:, https:) and host
// sources with an optional scheme, a leading *. wildcard and a port.
func (c CSP) Allows(directive, self, target string) bool {
	srcs, ok := c.Sources[directive]
	if !ok {
		if srcs, ok = c.Sources["default-src"]; !ok {
			return true
		}
	}
	scheme, rest, ok := strings.Cut(target, ":")
	if !ok {
		return false
	}
	scheme = strings.ToLower(scheme)
	hostport := strings.TrimPrefix(rest, "//")
	if i := strings.IndexAny(hostport, "/?#"); i >= 0 {
		hostport = hostport[:i]
	}
	host, port := splitPort(hostport, scheme)
	for _, s := range srcs {
		switch ls := strings.ToLower(s); {
		case ls == "'none'":
			continue
		case ls == "'self'":
			if strings.EqualFold(origin(target), self) {
				return true
			}
		case strings.HasPrefix(ls, "'"):
			continue // nonces, hashes, 'unsafe-*': not about URLs
		case ls == "*":
			if scheme == "http" || scheme == "https" {
				return true
			}
		case strings.HasSuffix(ls, ":") && !strings.Contains(ls, "/"):
			if scheme == strings.TrimSuffix(ls, ":") {
				return true
			}
		default:
			srcScheme, srcHost := "", ls
			if sch, h, ok := strings.Cut(ls, "://"); ok {
				srcScheme, srcHost = sch, h
			}
			if i := strings.IndexByte(srcHost, '/'); i >= 0 {
				srcHost = srcHost[:i] // paths are not checked: the policy has none
			}
			if srcScheme != "" && srcScheme != scheme && !(srcScheme == "http" && scheme == "https") {
				continue
			}
			if srcScheme == "" && scheme != "https" && scheme != "http" {
				continue
			}
			h, p := splitPort(srcHost, scheme)
			if p != port && p != "*" {
				continue
			}
			if suffix, wild := strings.CutPrefix(h, "*."); wild {
				if strings.HasSuffix(host, "."+suffix) {
					return true
				}
			} else if host == h {
				return true
			}
		}
	}
	return false
}

func origin(u string) string {
	scheme, rest, _ := strings.Cut(u, "://")
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	return strings.ToLower(scheme + "://" + rest)
}

func splitPort(hostport, scheme string) (string, string) {
	hostport = strings.ToLower(hostport)
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 && !strings.Contains(hostport[i:], "]") {
		return hostport[:i], hostport[i+1:]
	}
	switch scheme {
	case "https":
		return hostport, "443"
	case "http":
		return hostport, "80"
	}
	return hostport, ""
}
