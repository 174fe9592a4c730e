package stacktemplate_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
	"github.com/stackdesk/stackdesk/shared/api/portal"
)

// portalOrigin is the distribution's origin for the portal's HTTP API.
const portalOrigin = "portal-api"

func hasSpaRoutes(b map[string]any) bool {
	fa, _ := b["FunctionAssociations"].([]any)
	return slices.ContainsFunc(fa, func(a any) bool {
		m, _ := a.(map[string]any)
		return m["EventType"] == "viewer-request" && asJSON(m["FunctionARN"]) == `{"Fn::GetAtt":"SpaRoutesFunction.FunctionARN"}`
	})
}

// portalOperations are "METHOD /path" of the portal's OpenAPI document.
func portalOperations(t *testing.T) []string {
	t.Helper()
	var doc struct {
		Paths map[string]map[string]yaml.Node `yaml:"paths"`
	}
	if err := yaml.Unmarshal(portal.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []string
	for path, methods := range doc.Paths {
		for m := range methods {
			switch m = strings.ToUpper(m); m {
			case "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS":
				ops = append(ops, m+" "+path)
			}
		}
	}
	sort.Strings(ops)
	return ops
}

// portalRoutes maps each route key of the portal's HTTP API to its
// integration, and lists the routes that name an authorizer.
func portalRoutes(tpl *stacktemplate.Template) (routes map[string]string, authorized []string) {
	routes = map[string]string{}
	for _, id := range tpl.ByType("AWS::ApiGatewayV2::Route") {
		var p struct {
			ApiID             any `json:"ApiId"`
			RouteKey          string
			AuthorizationType string
			AuthorizerID      any `json:"AuthorizerId"`
			Target            any
		}
		_ = json.Unmarshal(tpl.Resources[id].Properties, &p)
		if asJSON(p.ApiID) != `{"Ref":"PortalHttpApi"}` {
			continue
		}
		var target struct {
			Sub string `json:"Fn::Sub"`
		}
		_ = json.Unmarshal([]byte(asJSON(p.Target)), &target)
		integ, _ := strings.CutPrefix(target.Sub, "integrations/${")
		routes[p.RouteKey] = strings.TrimSuffix(integ, "}")
		if (p.AuthorizationType != "" && p.AuthorizationType != "NONE") || p.AuthorizerID != nil {
			authorized = append(authorized, p.RouteKey)
		}
	}
	return routes, authorized
}

// Every operation of the portal's OpenAPI document is a route of the
// portal's HTTP API, to the portal function, with no authorizer (the
// portal's session is its credential); so are the survey and unsubscribe
// links, to their functions; nothing else is routed; and no route of the
// agents' HttpApi serves a portal path.
func TestPortalRoutesAreItsOpenAPIWithoutAuthorizer(t *testing.T) {
	tpl := parseTemplate(t)
	routes, authorized := portalRoutes(tpl)
	want := map[string]string{
		"GET /csat": "CsatPageIntegration", "POST /csat": "CsatPageIntegration",
		"GET /unsubscribe": "UnsubscribeIntegration", "POST /unsubscribe": "UnsubscribeIntegration",
	}
	for _, op := range portalOperations(t) {
		want[op] = "PortalApiIntegration"
	}
	if len(want) < 15 {
		t.Fatalf("the portal's OpenAPI has only %d operations: %v", len(want)-4, want)
	}
	for op, integ := range want {
		if got, ok := routes[op]; !ok {
			t.Errorf("no route %q on PortalHttpApi", op)
		} else if got != integ {
			t.Errorf("route %q goes to %s, want %s", op, got, integ)
		}
	}
	for op := range routes {
		if _, ok := want[op]; !ok {
			t.Errorf("route %q is in no contract", op)
		}
	}
	if len(authorized) > 0 {
		t.Errorf("portal routes with an authorizer: %v", authorized)
	}
	for integ, fn := range map[string]string{"PortalApiIntegration": "PortalApiFunction", "CsatPageIntegration": "CsatPageFunction", "UnsubscribeIntegration": "UnsubscribeFunction"} {
		p := props(t, tpl, integ)
		if asJSON(p["IntegrationUri"]) != fmt.Sprintf(`{"Fn::GetAtt":"%s.Arn"}`, fn) || p["IntegrationType"] != "AWS_PROXY" || p["PayloadFormatVersion"] != "2.0" {
			t.Errorf("%s = %v, want AWS_PROXY 2.0 to %s", integ, p, fn)
		}
		invoked := false
		for _, id := range tpl.ByType("AWS::Lambda::Permission") {
			p := props(t, tpl, id)
			if asJSON(p["FunctionName"]) == fmt.Sprintf(`{"Ref":"%s"}`, fn) && strings.Contains(asJSON(p["SourceArn"]), "${PortalHttpApi}/*") {
				invoked = true
			}
		}
		if !invoked {
			t.Errorf("no permission for PortalHttpApi (and it alone) to invoke %s", fn)
		}
	}
	for _, id := range tpl.ByType("AWS::Serverless::Function") {
		events, _ := props(t, tpl, id)["Events"].(map[string]any)
		for name, e := range events {
			ep, _ := e.(map[string]any)["Properties"].(map[string]any)
			if path, _ := ep["Path"].(string); strings.HasPrefix(path, "/portal") {
				t.Errorf("%s.%s serves %s on the agents' HttpApi", id, name, path)
			}
		}
	}
}

// statements returns a function's policy statements.
func statements(t *testing.T, tpl *stacktemplate.Template, fn string) []map[string]any {
	t.Helper()
	pols, _ := props(t, tpl, fn)["Policies"].([]any)
	var out []map[string]any
	for _, p := range pols {
		m, ok := p.(map[string]any)
		if !ok {
			t.Fatalf("%s has a managed or SAM policy %v: statements only", fn, p)
		}
		for _, s := range m["Statement"].([]any) {
			out = append(out, s.(map[string]any))
		}
	}
	return out
}

func list(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case map[string]any:
		return []string{asJSON(v)}
	}
	var out []string
	for _, x := range v.([]any) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		} else {
			out = append(out, asJSON(x))
		}
	}
	return out
}

// grants flattens statements into action -> sorted resources (conditions
// are checked apart).
func grants(t *testing.T, stmts []map[string]any) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, s := range stmts {
		if s["Effect"] != "Allow" {
			t.Errorf("statement %v: Allow only", s["Sid"])
		}
		for _, a := range list(s["Action"]) {
			for _, r := range list(s["Resource"]) {
				if !slices.Contains(out[a], r) {
					out[a] = append(out[a], r)
				}
			}
		}
	}
	for a := range out {
		sort.Strings(out[a])
	}
	return out
}

// The portal function may do what its routes need and nothing more: no
// wildcard action or resource, no delete, batch write or scan; the table
// and its GSI4 only; its own key; the two queues it publishes to; S3 only
// under the prefixes its links and uploads use, the listing limited to
// the upload prefix.
func TestPortalFunctionIsLeastPrivilege(t *testing.T) {
	tpl := parseTemplate(t)
	problems := portalPolicyProblems(t, statements(t, tpl, "PortalApiFunction"))
	for _, p := range problems {
		t.Error(p)
	}
	// The check fails on a wider policy.
	wide := statements(t, tpl, "PortalApiFunction")
	wide = append(wide, map[string]any{"Sid": "Oops", "Effect": "Allow", "Action": []any{"dynamodb:*"}, "Resource": "*"})
	if len(portalPolicyProblems(t, wide)) == 0 {
		t.Error("a dynamodb:* on * passes the check")
	}

	un := grants(t, statements(t, tpl, "UnsubscribeFunction"))
	if asJSON(un) != `{"dynamodb:UpdateItem":["{\"Fn::GetAtt\":\"Table.Arn\"}"]}` {
		t.Errorf("UnsubscribeFunction may %v, want UpdateItem on the table only", un)
	}
	for _, s := range statements(t, tpl, "UnsubscribeFunction") {
		if !strings.Contains(asJSON(s["Condition"]), `"dynamodb:LeadingKeys":["OPTOUT#*"]`) {
			t.Errorf("UnsubscribeFunction %v is not limited to OPTOUT#* items", s["Sid"])
		}
	}
}

func portalPolicyProblems(t *testing.T, stmts []map[string]any) []string {
	var out []string
	table, gsi4 := `{"Fn::GetAtt":"Table.Arn"}`, `{"Fn::Sub":"${Table.Arn}/index/GSI4"}`
	mail := func(prefix string) string { return fmt.Sprintf(`{"Fn::Sub":"${MailBucket.Arn}/%s"}`, prefix) }
	want := map[string][]string{
		"secretsmanager:GetSecretValue": {`{"Ref":"PortalOriginSecret"}`, `{"Ref":"PortalSecret"}`},
		"dynamodb:GetItem":              {table},
		"dynamodb:BatchGetItem":         {table},
		"dynamodb:PutItem":              {table},
		"dynamodb:UpdateItem":           {table},
		"dynamodb:ConditionCheckItem":   {table},
		"dynamodb:Query":                {table, gsi4},
		"sqs:SendMessage":               {`{"Fn::GetAtt":"IngestQueue.Arn"}`, `{"Fn::GetAtt":"OutboundQueue.Arn"}`},
		"s3:PutObject":                  {mail("attachments/portal/*")},
		"s3:GetObject":                  {mail("attachments/*"), mail("media/*")},
		"s3:ListBucket":                 {`{"Fn::GetAtt":"MailBucket.Arn"}`},
	}
	for a := range want {
		sort.Strings(want[a])
	}
	got := grants(t, stmts)
	for a, rs := range got {
		if strings.Contains(a, "*") {
			out = append(out, fmt.Sprintf("wildcard action %s", a))
		}
		for _, r := range rs {
			if r == "*" {
				out = append(out, fmt.Sprintf("%s on every resource", a))
			}
		}
		if w, ok := want[a]; !ok {
			out = append(out, fmt.Sprintf("action %s is not one the portal needs", a))
		} else if !slices.Equal(rs, w) {
			out = append(out, fmt.Sprintf("%s on %v, want %v", a, rs, w))
		}
	}
	for a := range want {
		if _, ok := got[a]; !ok {
			out = append(out, fmt.Sprintf("no %s: a portal route needs it", a))
		}
	}
	for _, s := range stmts {
		if slices.Contains(list(s["Action"]), "s3:ListBucket") && !strings.Contains(asJSON(s["Condition"]), `"s3:prefix":["attachments/portal/*"]`) {
			out = append(out, fmt.Sprintf("%v lists the mail bucket beyond attachments/portal/", s["Sid"]))
		}
	}
	return out
}

// The portal's pages and API are one origin: CloudFront serves /portal/*
// from the console's bucket with its own SPA routes, and sends
// /portal/api/*, /csat* and /unsubscribe* to the portal's HTTP API over
// HTTPS, uncached, with Authorization, cookies and query strings.
func TestPortalCloudFrontBehaviours(t *testing.T) {
	tpl := parseTemplate(t)
	dist := props(t, tpl, "ConsoleDistribution")
	cfg, _ := dist["DistributionConfig"].(map[string]any)
	origins, _ := cfg["Origins"].([]any)
	var origin map[string]any
	for _, o := range origins {
		if m, _ := o.(map[string]any); m["Id"] == portalOrigin {
			origin = m
		}
	}
	if origin == nil {
		t.Fatalf("no origin %s", portalOrigin)
	}
	coc, _ := origin["CustomOriginConfig"].(map[string]any)
	if asJSON(origin["DomainName"]) != `{"Fn::Sub":"${PortalHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"}` || coc["OriginProtocolPolicy"] != "https-only" {
		t.Errorf("origin %s = %v, want PortalHttpApi over HTTPS", portalOrigin, origin)
	}

	behaviours, _ := cfg["CacheBehaviors"].([]any)
	at := map[string]int{}
	for i, b := range behaviours {
		m, _ := b.(map[string]any)
		at[fmt.Sprint(m["PathPattern"])] = i
	}
	for _, path := range []string{"/portal/api/*", "/csat*", "/unsubscribe*"} {
		i, ok := at[path]
		if !ok {
			t.Errorf("no behaviour for %s", path)
			continue
		}
		b, _ := behaviours[i].(map[string]any)
		if b["TargetOriginId"] != portalOrigin || b["ViewerProtocolPolicy"] != "https-only" || asJSON(b["OriginRequestPolicyId"]) != `{"Ref":"PortalApiOriginRequestPolicy"}` ||
			asJSON(b["CachePolicyId"]) != `{"Ref":"PortalApiCachePolicy"}` {
			t.Errorf("%s = %v", path, b)
		}
		for _, m := range []string{"GET", "POST", "DELETE", "OPTIONS"} {
			if !slices.Contains(list(b["AllowedMethods"]), m) {
				t.Errorf("%s does not pass %s", path, m)
			}
		}
	}
	if i, j := at["/portal/api/*"], at["/portal/*"]; !(i < j) {
		t.Errorf("/portal/* (at %d) comes before /portal/api/* (at %d): the API would be served from the bucket", j, i)
	}
	if i, ok := at["/portal/*"]; !ok {
		t.Error("no /portal/* behaviour")
	} else if b, _ := behaviours[i].(map[string]any); b["TargetOriginId"] != "console" || !hasSpaRoutes(b) {
		t.Errorf("/portal/* = %v, want the console bucket with the SPA routes function", b)
	}

	// The origin proves the request came through CloudFront, and the
	// viewer's address, cookies and query strings go with it, not Host.
	if h, _ := origin["OriginCustomHeaders"].([]any); !strings.Contains(asJSON(h), `"HeaderName":"X-Stackdesk-Origin-Verify"`) ||
		!strings.Contains(asJSON(h), `{{resolve:secretsmanager:${PortalOriginSecret}:SecretString}}`) {
		t.Errorf("origin %s adds no X-Stackdesk-Origin-Verify from PortalOriginSecret: %s", portalOrigin, asJSON(h))
	}
	var orp struct {
		OriginRequestPolicyConfig struct {
			HeadersConfig struct {
				HeaderBehavior string
				Headers        []string
			}
			CookiesConfig      struct{ CookieBehavior string }
			QueryStringsConfig struct{ QueryStringBehavior string }
		}
	}
	if err := json.Unmarshal(tpl.Resources["PortalApiOriginRequestPolicy"].Properties, &orp); err != nil {
		t.Fatal(err)
	}
	o := orp.OriginRequestPolicyConfig
	if o.HeadersConfig.HeaderBehavior != "whitelist" || !slices.Contains(o.HeadersConfig.Headers, "CloudFront-Viewer-Address") ||
		!slices.Contains(o.HeadersConfig.Headers, "Content-Type") || slices.ContainsFunc(o.HeadersConfig.Headers, func(h string) bool { return strings.EqualFold(h, "Host") }) ||
		o.CookiesConfig.CookieBehavior != "all" || o.QueryStringsConfig.QueryStringBehavior != "all" {
		t.Errorf("PortalApiOriginRequestPolicy = %+v", o)
	}

	var cp struct {
		CachePolicyConfig struct {
			MinTTL, DefaultTTL                       float64
			ParametersInCacheKeyAndForwardedToOrigin struct {
				HeadersConfig struct {
					HeaderBehavior string
					Headers        []string
				}
				CookiesConfig      struct{ CookieBehavior string }
				QueryStringsConfig struct{ QueryStringBehavior string }
			}
		}
	}
	if err := json.Unmarshal(tpl.Resources["PortalApiCachePolicy"].Properties, &cp); err != nil {
		t.Fatal(err)
	}
	c, k := cp.CachePolicyConfig, cp.CachePolicyConfig.ParametersInCacheKeyAndForwardedToOrigin
	if c.MinTTL != 0 || c.DefaultTTL != 0 || !slices.Contains(k.HeadersConfig.Headers, "Authorization") ||
		k.CookiesConfig.CookieBehavior != "all" || k.QueryStringsConfig.QueryStringBehavior != "all" {
		t.Errorf("PortalApiCachePolicy = %+v: want nothing cached and Authorization, cookies, query strings forwarded", c)
	}

	// The links customer notifications carry, and the portal's own, are
	// on this distribution.
	env := func(fn string) map[string]any {
		var p struct {
			Environment struct{ Variables map[string]any }
		}
		_ = json.Unmarshal(tpl.Resources[fn].Properties, &p)
		return p.Environment.Variables
	}
	for fn, vars := range map[string]map[string]string{
		"OutboundFunction":  {"UNSUBSCRIBE_URL": "/unsubscribe", "SURVEY_URL": "/csat", "PORTAL_TICKET_URL": "/portal/"},
		"PortalApiFunction": {"PORTAL_LINK_BASE": "/portal/"},
	} {
		for name, path := range vars {
			if v := asJSON(env(fn)[name]); !strings.Contains(v, `https://${ConsoleDistribution.DomainName}`+path) {
				t.Errorf("%s %s = %s, want https://<distribution>%s...", fn, name, v, path)
			}
		}
	}
	var out struct{ Value any }
	_ = json.Unmarshal(tpl.Outputs["PortalUrl"], &out)
	if asJSON(out.Value) != `{"Fn::Sub":"https://${ConsoleDistribution.DomainName}/portal/"}` {
		t.Errorf("output PortalUrl = %s", asJSON(out.Value))
	}
}

// The SPA routes function, run as CloudFront runs it (cloudfront-js-2.0 is
// ECMAScript: node runs the same code): app routes get their app's
// index.html, files are left alone.
func TestSpaRoutesFunction(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("STACKDESK_REQUIRE_CONSOLE") != "" {
			t.Fatal("node not on PATH")
		}
		t.Skip("node not on PATH")
	}
	var p struct{ FunctionCode string }
	_ = json.Unmarshal(parseTemplate(t).Resources["SpaRoutesFunction"].Properties, &p)
	cases := map[string]string{
		"/":                        "/index.html",
		"/tickets/12":              "/index.html",
		"/config.json":             "/config.json",
		"/assets/index-4f2a.js":    "/assets/index-4f2a.js",
		"/portal/":                 "/portal/index.html",
		"/portal/tickets/3":        "/portal/index.html",
		"/portal/index.html":       "/portal/index.html",
		"/portal/assets/app-1a.js": "/portal/assets/app-1a.js",
		"/portal":                  "301 /portal/",
		"/portalx/y":               "/index.html",
	}
	script := p.FunctionCode + `
const cases = JSON.parse(process.argv[1]); const out = {};
for (const uri of Object.keys(cases)) {
  const r = handler({ request: { uri: uri, headers: {} } });
  out[uri] = r.statusCode ? r.statusCode + ' ' + r.headers.location.value : r.uri;
}
console.log(JSON.stringify(out));`
	in, _ := json.Marshal(cases)
	res, err := exec.Command(node, "-e", script, string(in)).CombinedOutput()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, res)
	}
	var got map[string]string
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatalf("%v: %s", err, res)
	}
	for uri, want := range cases {
		if got[uri] != want {
			t.Errorf("%s -> %q, want %q", uri, got[uri], want)
		}
	}
}

// CloudFront's names are per account and at most 64 characters: with the
// longest tenant name the parameter allows and the longest region name
// they still fit.
func TestCloudFrontNamesFitWithTheLongestTenant(t *testing.T) {
	tpl := parseTemplate(t)
	tenant, region := strings.Repeat("t", 31), "ap-southeast-3"
	for _, id := range []string{"SpaRoutesFunction", "PortalApiCachePolicy", "PortalApiOriginRequestPolicy", "ConsoleOriginAccessControl"} {
		raw := string(tpl.Resources[id].Properties)
		i := strings.Index(raw, `"Name":{"Fn::Sub":"`)
		if i < 0 {
			t.Errorf("%s has no !Sub name: %s", id, raw)
			continue
		}
		rest := raw[i+len(`"Name":{"Fn::Sub":"`):]
		name := rest[:strings.IndexByte(rest, '"')]
		name = strings.NewReplacer("${TenantName}", tenant, "${AWS::Region}", region).Replace(name)
		if len(name) > 64 {
			t.Errorf("%s name %q is %d characters, over 64", id, name, len(name))
		}
	}
}
