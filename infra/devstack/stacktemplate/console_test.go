package stacktemplate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"gopkg.in/yaml.v3"

	"github.com/stackdesk/stackdesk"
	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
	"github.com/stackdesk/stackdesk/shared/api/agent"
)

// CloudFront's managed cache policies (their ids are the same in every account).
const (
	cachingDisabled  = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
	cachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6"
)

// The agent console's deployment keeps its promises: a private bucket only
// the stack's distribution reads (origin access control, no legacy OAI),
// HTTPS only, the single-page app's routes answered with index.html, the
// shell uncached and hashed assets cached for good, security headers that
// let the console reach its API, Cognito and uploads and nothing else, and
// CORS for the console on the API and the mail bucket.
func TestTemplateConsoleDeployment(t *testing.T) {
	for _, p := range consoleProblems(parseTemplate(t)) {
		t.Error(p)
	}
}

// Each check above fails when the template breaks the promise it holds.
func TestConsoleChecksCatchBrokenTemplates(t *testing.T) {
	src := string(stackdesk.Template)
	cases := []struct {
		name, anchor, from, to, want string
	}{
		{"legacy OAI instead of OAC", "Origins:\n", "            OriginAccessControlId: !GetAtt ConsoleOriginAccessControl.Id\n", "", "origin access control"},
		{"public bucket", "  ConsoleBucket:\n", "BlockPublicPolicy: true", "BlockPublicPolicy: false", "public access"},
		{"website hosting", "  ConsoleBucket:\n", "      OwnershipControls:", "      WebsiteConfiguration: { IndexDocument: index.html }\n      OwnershipControls:", "website"},
		{"policy not scoped to the distribution", "  ConsoleBucketPolicy:\n",
			`AWS:SourceArn: !Sub "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${ConsoleDistribution}"`,
			`AWS:SourceAccount: !Ref AWS::AccountId`, "distribution ARN"},
		{"no SPA routes", "DefaultCacheBehavior:", "          FunctionAssociations:\n            - { EventType: viewer-request, FunctionARN: !GetAtt SpaRoutesFunction.FunctionARN }\n", "", "SPA"},
		{"error pages over API answers", "  ConsoleDistribution:\n", "        ViewerCertificate:", "        CustomErrorResponses:\n          - { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: /index.html, ErrorCachingMinTTL: 0 }\n        ViewerCertificate:", "error response"},
		{"plain HTTP", "  ConsoleDistribution:\n", "ViewerProtocolPolicy: redirect-to-https", "ViewerProtocolPolicy: allow-all", "HTTPS"},
		{"inline scripts", "  ConsoleHeadersPolicy:\n", "script-src 'self';", "script-src 'self' 'unsafe-inline';", "script-src"},
		{"API not reachable", "  ConsoleHeadersPolicy:\n", "https://*.execute-api.${AWS::Region}.${AWS::URLSuffix} ", "", "connect-src"},
		{"shell cached", "DefaultCacheBehavior:", cachingDisabled, cachingOptimized, "index.html"},
		{"assets not cached", "PathPattern: /assets/*", cachingOptimized, cachingDisabled, "/assets/*"},
		{"API CORS without the console", "      CorsConfiguration:\n        AllowOrigins:\n", `          - !Sub "https://${ConsoleDistribution.DomainName}"` + "\n", "", "API CORS"},
		{"API CORS without If-None-Match", "      CorsConfiguration:\n        AllowOrigins:\n", "if-match, if-none-match", "if-match", "if-none-match"},
		{"API CORS hides Location", "      CorsConfiguration:\n        AllowOrigins:\n", "[etag, location]", "[etag]", "location"},
		{"uploads without the console", "  MailBucket:\n", `              - !Sub "https://${ConsoleDistribution.DomainName}"` + "\n", "", "mail bucket CORS"},
		{"ANY agent route", "  AgentApiFunction:\n", "Method: GET\n            Path: /api/{proxy+}", "Method: ANY\n            Path: /api/{proxy+}", "preflight"},
		{"config output not JSON", "  ConsoleConfig:\n", `"tenantName": "${TenantName}"}`, `"tenantName": ${TenantName}}`, "ConsoleConfig"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			i := strings.Index(src, c.anchor)
			if i < 0 {
				t.Fatalf("anchor %q not in template.yaml", c.anchor)
			}
			j := strings.Index(src[i:], c.from)
			if j < 0 {
				t.Fatalf("%q not after %q in template.yaml", c.from, c.anchor)
			}
			broken := src[:i+j] + c.to + src[i+j+len(c.from):]
			tpl, err := stacktemplate.Parse([]byte(broken))
			if err != nil {
				t.Fatal(err)
			}
			got := consoleProblems(tpl)
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("no problem mentioning %q; got %q", c.want, got)
			}
		})
	}
}

// The local console server can send what CloudFront sends, opened to the
// local stack's plain-HTTP origins.
func TestConsoleHeadersForALocalStack(t *testing.T) {
	h, err := parseTemplate(t).ConsoleHeaders("us-east-1", "http://127.0.0.1:8080", "http://127.0.0.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	csp := stacktemplate.ParseCSP(h.Get("Content-Security-Policy"))
	self := "http://127.0.0.1:8081"
	for _, u := range []string{"http://127.0.0.1:8080/api/me", "http://127.0.0.1:5000/"} {
		if !csp.Allows("connect-src", self, u) {
			t.Errorf("connect-src %v refuses %s", csp.Sources["connect-src"], u)
		}
	}
	if _, ok := csp.Sources["upgrade-insecure-requests"]; ok {
		t.Error("upgrade-insecure-requests would send the local stack's requests to https")
	}
	if h.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS on a plain-HTTP local server")
	}
	if !slices.Equal(csp.Sources["script-src"], []string{"'self'"}) || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("the local headers are not the deployed ones: %v", h)
	}
}

// ParseCSP and Allows read policies as browsers do.
func TestCSPAllows(t *testing.T) {
	c := stacktemplate.ParseCSP("default-src 'self'; img-src 'self' data: https://*.s3.us-east-1.amazonaws.com; connect-src https://api.example:8443 http://127.0.0.1:5000; object-src 'none'")
	self := "https://d1.cloudfront.net"
	for _, tc := range []struct {
		dir, url string
		want     bool
	}{
		{"script-src", "https://d1.cloudfront.net/assets/index-abc.js", true}, // default-src
		{"script-src", "https://evil.example/x.js", false},
		{"img-src", "data:image/png;base64,AAAA", true},
		{"img-src", "https://b.s3.us-east-1.amazonaws.com/k?X-Amz-Signature=1", true},
		{"img-src", "https://b.s3.eu-west-1.amazonaws.com/k", false},
		{"img-src", "https://s3.us-east-1.amazonaws.com/b/k", false},
		{"img-src", "http://b.s3.us-east-1.amazonaws.com/k", false},
		{"connect-src", "https://api.example:8443/x", true},
		{"connect-src", "https://api.example/x", false},
		{"connect-src", "http://127.0.0.1:5000/", true},
		{"connect-src", "https://d1.cloudfront.net/config.json", false}, // no 'self' in connect-src
		{"object-src", "https://d1.cloudfront.net/x", false},
	} {
		if got := c.Allows(tc.dir, self, tc.url); got != tc.want {
			t.Errorf("%s %s = %v, want %v", tc.dir, tc.url, got, tc.want)
		}
	}
}

// consoleProblems lists every promise of the console's deployment tpl
// breaks.
func consoleProblems(tpl *stacktemplate.Template) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	res := func(id, typ string) map[string]any {
		r, ok := tpl.Resources[id]
		if !ok || r.Type != typ {
			bad("no %s %s", typ, id)
			return map[string]any{}
		}
		var p map[string]any
		_ = json.Unmarshal(r.Properties, &p)
		return p
	}

	// The bucket: private, encrypted, no website endpoint.
	bucket := res("ConsoleBucket", "AWS::S3::Bucket")
	pab, _ := bucket["PublicAccessBlockConfiguration"].(map[string]any)
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if pab[k] != true {
			bad("ConsoleBucket: public access not blocked: %s = %v", k, pab[k])
		}
	}
	if bucket["BucketEncryption"] == nil {
		bad("ConsoleBucket: no default encryption")
	}
	if bucket["WebsiteConfiguration"] != nil || bucket["AccessControl"] != nil {
		bad("ConsoleBucket: website hosting or an ACL: CloudFront reads it through origin access control only")
	}
	if !strings.Contains(asJSON(bucket["OwnershipControls"]), "BucketOwnerEnforced") {
		bad("ConsoleBucket: ACLs not disabled (BucketOwnerEnforced)")
	}

	// Its policy: CloudFront may read, for this distribution only.
	var policy map[string]any
	for _, id := range tpl.ByType("AWS::S3::BucketPolicy") {
		p := res(id, "AWS::S3::BucketPolicy")
		if ref, _ := p["Bucket"].(map[string]any); ref["Ref"] == "ConsoleBucket" {
			policy = p
		}
	}
	if policy == nil {
		bad("no bucket policy on ConsoleBucket")
		policy = map[string]any{}
	}
	doc, _ := policy["PolicyDocument"].(map[string]any)
	stmts, _ := doc["Statement"].([]any)
	allows, tlsOnly := 0, false
	wantArn := "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${ConsoleDistribution}"
	for _, s := range stmts {
		s, _ := s.(map[string]any)
		if s["Effect"] == "Deny" {
			cond, _ := s["Condition"].(map[string]any)
			b, _ := cond["Bool"].(map[string]any)
			tlsOnly = tlsOnly || b["aws:SecureTransport"] == "false" || b["aws:SecureTransport"] == false
			continue
		}
		allows++
		if asJSON(s["Principal"]) != `{"Service":"cloudfront.amazonaws.com"}` {
			bad("ConsoleBucketPolicy: an Allow to %v, want the CloudFront service only", s["Principal"])
		}
		if s["Action"] != "s3:GetObject" {
			bad("ConsoleBucketPolicy: CloudFront may %v, want s3:GetObject only", s["Action"])
		}
		if asJSON(s["Resource"]) != `{"Fn::Sub":"${ConsoleBucket.Arn}/*"}` {
			bad("ConsoleBucketPolicy: resource %v, want the console bucket's objects", s["Resource"])
		}
		cond, _ := s["Condition"].(map[string]any)
		eq, _ := cond["StringEquals"].(map[string]any)
		if src, _ := eq["AWS:SourceArn"].(map[string]any); src["Fn::Sub"] != wantArn {
			bad("ConsoleBucketPolicy: Allow not conditioned on the distribution ARN (AWS:SourceArn = %s): %v", wantArn, cond)
		}
	}
	if allows == 0 {
		bad("ConsoleBucketPolicy: CloudFront may not read the console")
	}
	if !tlsOnly {
		bad("ConsoleBucketPolicy: no Deny of requests without TLS")
	}

	// Origin access control, not the legacy origin access identity.
	if ids := tpl.ByType("AWS::CloudFront::CloudFrontOriginAccessIdentity"); len(ids) > 0 {
		bad("legacy origin access identity %v: use origin access control", ids)
	}
	dist := res("ConsoleDistribution", "AWS::CloudFront::Distribution")
	cfg, _ := dist["DistributionConfig"].(map[string]any)
	origins, _ := cfg["Origins"].([]any)
	if len(origins) == 0 {
		bad("ConsoleDistribution: no origin")
	}
	for _, o := range origins {
		o, _ := o.(map[string]any)
		if o["Id"] == portalOrigin {
			continue // the portal's HTTP API (portalProblems)
		}
		oac, _ := o["OriginAccessControlId"].(map[string]any)
		id, _ := oac["Fn::GetAtt"].(string)
		id, _ = strings.CutSuffix(id, ".Id")
		if r, ok := tpl.Resources[id]; !ok || r.Type != "AWS::CloudFront::OriginAccessControl" {
			bad("ConsoleDistribution: origin %v reads without origin access control", o["Id"])
		} else {
			c, _ := res(id, r.Type)["OriginAccessControlConfig"].(map[string]any)
			if c["OriginAccessControlOriginType"] != "s3" || c["SigningBehavior"] != "always" || c["SigningProtocol"] != "sigv4" {
				bad("%s: want s3, always, sigv4: %v", id, c)
			}
		}
		s3cfg, _ := o["S3OriginConfig"].(map[string]any)
		if s3cfg == nil || s3cfg["OriginAccessIdentity"] != "" || o["CustomOriginConfig"] != nil {
			bad("ConsoleDistribution: origin %v is not the bucket's REST endpoint without an OAI: %v", o["Id"], o)
		}
		if asJSON(o["DomainName"]) != `{"Fn::GetAtt":"ConsoleBucket.RegionalDomainName"}` {
			bad("ConsoleDistribution: origin %v is %v, want ConsoleBucket.RegionalDomainName", o["Id"], o["DomainName"])
		}
	}

	// The single-page app: / is index.html, and so is any route of the
	// app (SpaRoutesFunction, a viewer-request function: custom error
	// responses are the distribution's and would turn the portal API's
	// 401/403/404 into a page).
	if cfg["DefaultRootObject"] != "index.html" {
		bad("ConsoleDistribution: DefaultRootObject %v, want index.html", cfg["DefaultRootObject"])
	}
	if errs, _ := cfg["CustomErrorResponses"].([]any); len(errs) > 0 {
		bad("ConsoleDistribution: custom error responses %s rewrite the API's answers too", asJSON(errs))
	}
	if def, _ := cfg["DefaultCacheBehavior"].(map[string]any); !hasSpaRoutes(def) {
		bad("ConsoleDistribution: the default behaviour has no SPA routes function (viewer-request SpaRoutesFunction)")
	}
	behaviors := []any{cfg["DefaultCacheBehavior"]}
	more, _ := cfg["CacheBehaviors"].([]any)
	behaviors = append(behaviors, more...)
	assets := false
	for i, b := range behaviors {
		b, _ := b.(map[string]any)
		path, _ := b["PathPattern"].(string)
		if b["TargetOriginId"] == portalOrigin {
			continue // the portal's API (portalProblems)
		}
		if i == 0 {
			path = "index.html, config.json and the app's routes"
		}
		if v := b["ViewerProtocolPolicy"]; v != "redirect-to-https" && v != "https-only" {
			bad("ConsoleDistribution: %s served over plain HTTP (%v): HTTPS only", path, v)
		}
		if m := asJSON(b["AllowedMethods"]); m != `["GET","HEAD"]` {
			bad("ConsoleDistribution: %s allows %s, want GET and HEAD", path, m)
		}
		want := `{"Ref":"ConsoleHeadersPolicy"}`
		if strings.HasPrefix(path, "/portal/") {
			want = `{"Ref":"PortalHeadersPolicy"}` // the help button frames the portal (portal_test.go)
		}
		if asJSON(b["ResponseHeadersPolicyId"]) != want {
			bad("ConsoleDistribution: %s without its security headers (%s)", path, want)
		}
		switch {
		case i == 0 && b["CachePolicyId"] != cachingDisabled:
			bad("ConsoleDistribution: %s cached (%v): a deploy must show at once", path, b["CachePolicyId"])
		case path == "/assets/*":
			assets = true
			if b["CachePolicyId"] != cachingOptimized {
				bad("ConsoleDistribution: /assets/* cache policy %v: hashed assets are cached for good", b["CachePolicyId"])
			}
		}
	}
	if !assets {
		bad("ConsoleDistribution: no /assets/* behavior: hashed assets are cached for good")
	}

	// The headers: no inline script; the API, Cognito and S3 (uploads,
	// file links) reachable, in the stack's region; nothing else.
	h, err := tpl.ConsoleHeaders("us-east-1")
	if err != nil {
		bad("console headers: %v", err)
	} else {
		csp := stacktemplate.ParseCSP(h.Get("Content-Security-Policy"))
		self := "https://d111111abcdef8.cloudfront.net"
		if !slices.Equal(csp.Sources["script-src"], []string{"'self'"}) {
			bad("CSP script-src %v, want 'self' only (Vite's output has no inline script)", csp.Sources["script-src"])
		}
		for _, d := range []string{"default-src", "connect-src"} {
			if slices.ContainsFunc(csp.Sources[d], func(s string) bool { return strings.HasPrefix(s, "'unsafe") || s == "*" }) {
				bad("CSP %s %v is open", d, csp.Sources[d])
			}
		}
		for d, want := range map[string]string{"object-src": "'none'", "frame-ancestors": "'none'"} {
			if !slices.Equal(csp.Sources[d], []string{want}) {
				bad("CSP %s %v, want %s", d, csp.Sources[d], want)
			}
		}
		config, err := consoleConfig(tpl)
		if err != nil {
			bad("%v", err)
		}
		post, get := presigned()
		reach := map[string][]string{
			"connect-src": {self + "/config.json", config.APIBaseURL + "/api/me", config.Cognito.Endpoint, post, get},
			"img-src":     {get, "data:image/png;base64,AAAA"},
			"script-src":  {self + "/assets/index-4f2a.js"},
			"style-src":   {self + "/assets/index-9c1d.css"},
		}
		for d, urls := range reach {
			for _, u := range urls {
				if u != "" && !csp.Allows(d, self, u) {
					bad("CSP %s %v refuses %s", d, csp.Sources[d], u)
				}
			}
		}
		for _, u := range []string{"https://evil.example/x", "https://abc.execute-api.eu-west-1.amazonaws.com/api/me", "http://" + strings.TrimPrefix(config.APIBaseURL, "https://")} {
			if csp.Allows("connect-src", self, u) {
				bad("CSP connect-src %v lets the console send to %s", csp.Sources["connect-src"], u)
			}
		}
		hsts, _ := strconv.Atoi(strings.TrimPrefix(strings.Split(h.Get("Strict-Transport-Security"), ";")[0], "max-age="))
		if hsts < 31536000 || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") == "" {
			bad("security headers incomplete: %v", h)
		}
	}

	// CORS: the API and the mail bucket (presigned uploads) answer the
	// console's origin; the agent routes name their methods, so API
	// Gateway answers the preflights and the authorizer never sees them.
	console := `{"Fn::Sub":"https://${ConsoleDistribution.DomainName}"}`
	api := res("HttpApi", "AWS::Serverless::HttpApi")
	cors, _ := api["CorsConfiguration"].(map[string]any)
	origs, _ := cors["AllowOrigins"].([]any)
	if !slices.ContainsFunc(origs, func(o any) bool { return asJSON(o) == console }) || slices.Contains(origs, any("*")) {
		bad("API CORS origins %v: want the console's distribution, no *", asJSON(origs))
	}
	if cors["AllowCredentials"] == true {
		bad("API CORS allows credentials: the console sends a bearer token, not cookies")
	}
	lower := func(v any) []string {
		l, _ := v.([]any)
		var s []string
		for _, x := range l {
			s = append(s, strings.ToLower(fmt.Sprint(x)))
		}
		return s
	}
	for _, hd := range []string{"authorization", "content-type", "if-match", "if-none-match"} {
		if !slices.Contains(lower(cors["AllowHeaders"]), hd) {
			bad("API CORS does not allow the %s header", hd)
		}
	}
	for _, hd := range []string{"etag", "location"} {
		if !slices.Contains(lower(cors["ExposeHeaders"]), hd) {
			bad("API CORS does not expose %s", hd)
		}
	}
	methods := openAPIMethods()
	for _, m := range methods {
		if !slices.Contains(lower(cors["AllowMethods"]), strings.ToLower(m)) {
			bad("API CORS does not allow %s (the agent API serves it)", m)
		}
	}
	mail := res("MailBucket", "AWS::S3::Bucket")
	mc, _ := mail["CorsConfiguration"].(map[string]any)
	rules, _ := mc["CorsRules"].([]any)
	if !slices.ContainsFunc(rules, func(r any) bool {
		m, _ := r.(map[string]any)
		o, _ := m["AllowedOrigins"].([]any)
		return slices.ContainsFunc(o, func(o any) bool { return asJSON(o) == console }) && slices.Contains(lower(m["AllowedMethods"]), "post")
	}) {
		bad("mail bucket CORS does not let the console POST uploads: %s", asJSON(rules))
	}
	served := map[string]bool{}
	for _, id := range tpl.ByType("AWS::Serverless::Function") {
		p := res(id, "AWS::Serverless::Function")
		events, _ := p["Events"].(map[string]any)
		for name, e := range events {
			e, _ := e.(map[string]any)
			ep, _ := e["Properties"].(map[string]any)
			path, _ := ep["Path"].(string)
			method := strings.ToUpper(fmt.Sprint(ep["Method"]))
			if e["Type"] != "HttpApi" || !strings.HasPrefix(path, "/api/") {
				continue
			}
			if method == "ANY" || method == "OPTIONS" {
				bad("%s.%s: %s %s would take the console's CORS preflight to the authorizer", id, name, method, path)
			}
			if path == "/api/{proxy+}" {
				served[method] = true
			}
		}
	}
	for _, m := range methods {
		if !served[m] {
			bad("no /api/{proxy+} route for %s, which the agent API serves", m)
		}
	}

	// Outputs: where the console is, where it goes, and its config.
	for id, want := range map[string]string{
		"ConsoleURL":            console,
		"ConsoleBucket":         `{"Ref":"ConsoleBucket"}`,
		"ConsoleDistributionId": `{"Ref":"ConsoleDistribution"}`,
	} {
		var o struct{ Value any }
		_ = json.Unmarshal(tpl.Outputs[id], &o)
		if got := asJSON(o.Value); got != want {
			bad("output %s = %s, want %s", id, got, want)
		}
	}
	return out
}

// consoleConfigValues stand in for a deployed stack's physical ids.
var consoleConfigValues = map[string]string{
	"HttpApi": "a1b2c3d4e5", "AWS::Region": "us-east-1", "AWS::URLSuffix": "amazonaws.com",
	"UserPool": "us-east-1_AbCdEfGhI", "UserPoolClient": "4l8k2j6h1g3f5d7s9a0p", "TenantName": "acme",
}

type consoleConfigDoc struct {
	APIBaseURL string `json:"apiBaseUrl"`
	Cognito    struct {
		Region     string `json:"region"`
		UserPoolID string `json:"userPoolId"`
		ClientID   string `json:"clientId"`
		Endpoint   string `json:"endpoint"`
	} `json:"cognito"`
	TenantName string `json:"tenantName"`
}

// consoleConfig resolves the ConsoleConfig output (what `make
// deploy-console` writes to config.json) for consoleConfigValues and holds
// it to the console's config shape.
func consoleConfig(tpl *stacktemplate.Template) (consoleConfigDoc, error) {
	var c consoleConfigDoc
	sub := func(id string) (string, error) {
		var o struct {
			Value struct {
				FnSub string `json:"Fn::Sub"`
			}
		}
		if err := json.Unmarshal(tpl.Outputs[id], &o); err != nil || o.Value.FnSub == "" {
			return "", fmt.Errorf("output %s is not a !Sub string: %s", id, tpl.Outputs[id])
		}
		var missing []string
		s := regexp.MustCompile(`\$\{([^}]*)\}`).ReplaceAllStringFunc(o.Value.FnSub, func(m string) string {
			v, ok := consoleConfigValues[m[2:len(m)-1]]
			if !ok {
				missing = append(missing, m)
			}
			return v
		})
		if len(missing) > 0 {
			return "", fmt.Errorf("output %s names %v", id, missing)
		}
		return s, nil
	}
	raw, err := sub("ConsoleConfig")
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("output ConsoleConfig is not the console's config.json: %v: %s", err, raw)
	}
	apiBase, err := sub("ApiBaseUrl")
	if err != nil {
		return c, err
	}
	want := consoleConfigDoc{APIBaseURL: apiBase, TenantName: "acme"}
	want.Cognito.Region, want.Cognito.UserPoolID, want.Cognito.ClientID = "us-east-1", "us-east-1_AbCdEfGhI", "4l8k2j6h1g3f5d7s9a0p"
	want.Cognito.Endpoint = "https://cognito-idp.us-east-1.amazonaws.com"
	if c != want {
		return c, fmt.Errorf("output ConsoleConfig = %+v, want %+v", c, want)
	}
	return c, nil
}

// presigned returns the URLs the agent API hands the console for an upload
// (POST) and a file (GET), as the SDK signs them in us-east-1.
func presigned() (post, get string) {
	p := s3.NewPresignClient(s3.New(s3.Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKID", "SECRET", "")}))
	bucket := aws.String("stackdesk-acme-mailbucket-1a2b3c4d5e6f")
	if r, err := p.PresignPostObject(context.Background(), &s3.PutObjectInput{Bucket: bucket, Key: aws.String("attachments/uploads/u1")}); err == nil {
		post = r.URL
	}
	if r, err := p.PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: bucket, Key: aws.String("attachments/t1/a.png")}); err == nil {
		get = r.URL
	}
	return post, get
}

// openAPIMethods are the HTTP methods of the agent API's contract.
func openAPIMethods() []string {
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	_ = yaml.Unmarshal(agent.OpenAPI, &doc)
	seen := map[string]bool{}
	for _, ops := range doc.Paths {
		for m := range ops {
			switch m = strings.ToUpper(m); m {
			case "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE":
				seen[m] = true
			}
		}
	}
	var out []string
	for m := range seen {
		out = append(out, m)
	}
	slices.Sort(out)
	return out
}

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// The portal's pages keep the console's script policy but may be framed by
// the tenant's own sites (the help button's panel), and only by them.
func TestPortalHeadersLetOnlyTheTenantsSitesFrameThePortal(t *testing.T) {
	tpl := parseTemplate(t)
	res, ok := tpl.Resources["PortalHeadersPolicy"]
	if !ok {
		t.Fatal("no PortalHeadersPolicy")
	}
	var p struct {
		ResponseHeadersPolicyConfig struct {
			SecurityHeadersConfig struct {
				ContentSecurityPolicy struct{ ContentSecurityPolicy any }
				FrameOptions          any
			}
		}
	}
	if err := json.Unmarshal(res.Properties, &p); err != nil {
		t.Fatal(err)
	}
	sec := p.ResponseHeadersPolicyConfig.SecurityHeadersConfig
	csp := asJSON(sec.ContentSecurityPolicy.ContentSecurityPolicy)
	for _, want := range []string{"script-src 'self';", "frame-ancestors ${HelpButtonSites};", "object-src 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("portal CSP lacks %q: %s", want, csp)
		}
	}
	if sec.FrameOptions != nil {
		t.Errorf("X-Frame-Options %v would forbid the help button's panel (CSP frame-ancestors decides)", sec.FrameOptions)
	}
}
