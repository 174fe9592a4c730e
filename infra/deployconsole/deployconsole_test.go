package deployconsole_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// A stand-in for a deployed stack: the outputs the script reads, on a
// bucket moto creates.
const stackTemplate = `Resources:
  ConsoleBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: %BUCKET%
Outputs:
  ConsoleBucket:
    Value: !Ref ConsoleBucket
  ConsoleURL:
    Value: https://d111111abcdef8.cloudfront.net
  ConsoleConfig:
    Value: !Sub >-
      {"apiBaseUrl": "https://a1b2c3d4e5.execute-api.${AWS::Region}.${AWS::URLSuffix}",
      "cognito": {"region": "${AWS::Region}", "userPoolId": "${AWS::Region}_AbCdEfGhI", "clientId": "4l8k2j6h1g3f5d7s9a0p",
      "endpoint": "https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}"},
      "tenantName": "acme"}
`

type env struct {
	t      *testing.T
	s3     *s3.Client
	vars   []string
	root   string // the repository
	bucket string
	stack  string
}

func setup(t *testing.T, withOutputs bool) *env {
	t.Helper()
	cfg := testbed.AWS(t, "S3")
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("infra/deploy-console.sh needs the AWS CLI, which is not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	name := testbed.Name(t)
	e := &env{t: t, s3: s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true }), root: root,
		bucket: name + "-console", stack: name + "-stack"}
	moto := os.Getenv("AWS_ENDPOINT_URL_S3")
	if moto == "" {
		moto = os.Getenv("AWS_ENDPOINT_URL")
	}
	e.vars = append(os.Environ(), "AWS_ENDPOINT_URL_CLOUDFORMATION="+moto, "AWS_ENDPOINT_URL_S3="+moto,
		"AWS_DEFAULT_REGION="+cfg.Region, "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true")
	tpl := strings.ReplaceAll(stackTemplate, "%BUCKET%", e.bucket)
	if !withOutputs {
		tpl = tpl[:strings.Index(tpl, "Outputs:")]
	}
	e.aws("cloudformation", "create-stack", "--stack-name", e.stack, "--template-body", tpl)
	t.Cleanup(func() {
		for _, k := range testbed.ListBucket(t, e.s3, e.bucket) {
			_, _ = e.s3.DeleteObject(context.Background(), &s3.DeleteObjectInput{Bucket: &e.bucket, Key: aws.String(k)})
		}
		cmd := exec.Command("aws", "cloudformation", "delete-stack", "--stack-name", e.stack)
		cmd.Env = e.vars // moto's, never the real endpoint
		_ = cmd.Run()
	})
	return e
}

func (e *env) aws(args ...string) string {
	e.t.Helper()
	cmd := exec.Command("aws", args...)
	cmd.Env = e.vars
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("aws %s: %v\n%s", strings.Join(args[:2], " "), err, out)
	}
	return string(out)
}

// deploy runs the script on dist and returns its output and error.
func (e *env) deploy(dist string) (string, error) {
	cmd := exec.Command(filepath.Join(e.root, "infra", "deploy-console.sh"), e.stack, dist)
	cmd.Env = e.vars
	out, err := cmd.CombinedOutput()
	return string(out), err
}

type object struct {
	body                      string
	contentType, cacheControl string
}

func (e *env) get(key string) (object, bool) {
	e.t.Helper()
	out, err := e.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: &e.bucket, Key: &key})
	var nsk interface{ ErrorCode() string }
	if errors.As(err, &nsk) && nsk.ErrorCode() == "NoSuchKey" {
		return object{}, false
	}
	if err != nil {
		e.t.Fatalf("get %s: %v", key, err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return object{string(b), aws.ToString(out.ContentType), aws.ToString(out.CacheControl)}, true
}

// writeDist lays out a Vite build: hashed assets, the shell, a public file
// and a development config.json that must not reach the bucket.
func writeDist(t *testing.T) string {
	dist := t.TempDir()
	files := map[string]string{
		"index.html":                `<!doctype html><html><head><script type="module" src="/assets/index-4f2a9c1e.js"></script><link rel="stylesheet" href="/assets/index-9c1d7b3a.css"></head><body><div id="app"></div></body></html>`,
		"assets/index-4f2a9c1e.js":  `import("./ticket-77aa01bc.js");`,
		"assets/ticket-77aa01bc.js": `export default 1;`,
		"assets/index-9c1d7b3a.css": `body{margin:0}`,
		"favicon.svg":               `<svg xmlns="http://www.w3.org/2000/svg"/>`,
		"config.json":               `{"apiBaseUrl": "http://127.0.0.1:8080"}`,
		// The customer portal: its own shell, hashed assets and the help
		// button's stable-named script.
		"portal/index.html":               `<!doctype html><html><head><script type="module" src="/portal/assets/index-5e6f7a8b.js"></script></head><body></body></html>`,
		"portal/assets/index-5e6f7a8b.js": `export default 2;`,
		"portal/help.js":                  `(function(){})();`,
	}
	for name, body := range files {
		p := filepath.Join(dist, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dist
}

// The script puts the build and the stack's own config.json in the
// console bucket, with the caching each needs: the shell and config
// revalidated on every load, hashed assets immutable, scripts typed as
// JavaScript (with nosniff, anything else is refused); the previous
// version's assets stay for the tabs still running it.
func TestDeployConsolePublishesTheBuildAndTheStacksConfig(t *testing.T) {
	e := setup(t, true)
	old := "assets/index-0ld0ld00.js"
	if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &e.bucket, Key: &old, Body: strings.NewReader("old")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.deploy(writeDist(t))
	if err != nil {
		t.Fatalf("deploy-console: %v\n%s", err, out)
	}
	if !strings.Contains(out, "console: https://d111111abcdef8.cloudfront.net") {
		t.Errorf("output does not say where the console is:\n%s", out)
	}

	want := e.aws("cloudformation", "describe-stacks", "--stack-name", e.stack, "--query",
		"Stacks[0].Outputs[?OutputKey=='ConsoleConfig'].OutputValue | [0]", "--output", "text")
	cfg, ok := e.get("config.json")
	if !ok {
		t.Fatal("no config.json in the bucket")
	}
	var got, exp map[string]any
	if err := json.Unmarshal([]byte(cfg.body), &got); err != nil {
		t.Fatalf("config.json is not JSON: %v: %s", err, cfg.body)
	}
	_ = json.Unmarshal([]byte(want), &exp)
	if gb, _ := json.Marshal(got); exp == nil || !bytes.Equal(gb, mustMarshal(exp)) {
		t.Errorf("config.json = %s, want the stack's ConsoleConfig %s", cfg.body, want)
	}
	if c, _ := got["cognito"].(map[string]any); c["userPoolId"] != e.region()+"_AbCdEfGhI" || got["apiBaseUrl"] == "http://127.0.0.1:8080" {
		t.Errorf("config.json is not the stack's: %s", cfg.body)
	}

	for key, w := range map[string]object{
		"config.json":                     {contentType: "application/json", cacheControl: "no-cache"},
		"index.html":                      {contentType: "text/html; charset=utf-8", cacheControl: "no-cache"},
		"favicon.svg":                     {cacheControl: "no-cache"},
		"assets/index-4f2a9c1e.js":        {contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=31536000, immutable"},
		"assets/ticket-77aa01bc.js":       {contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=31536000, immutable"},
		"assets/index-9c1d7b3a.css":       {contentType: "text/css", cacheControl: "public, max-age=31536000, immutable"},
		"portal/index.html":               {contentType: "text/html; charset=utf-8", cacheControl: "no-cache"},
		"portal/assets/index-5e6f7a8b.js": {contentType: "text/javascript; charset=utf-8", cacheControl: "public, max-age=31536000, immutable"},
		"portal/help.js":                  {contentType: "text/javascript; charset=utf-8", cacheControl: "no-cache"},
	} {
		o, ok := e.get(key)
		switch {
		case !ok:
			t.Errorf("%s not published", key)
		case o.cacheControl != w.cacheControl:
			t.Errorf("%s Cache-Control = %q, want %q", key, o.cacheControl, w.cacheControl)
		case w.contentType != "" && o.contentType != w.contentType:
			t.Errorf("%s Content-Type = %q, want %q", key, o.contentType, w.contentType)
		}
	}
	if _, ok := e.get(old); !ok {
		t.Errorf("%s, the previous version's asset, was removed", old)
	}
}

// Nothing is published without a build, or to a stack without the
// console's outputs.
func TestDeployConsoleRefusesWhatIsNotThere(t *testing.T) {
	e := setup(t, true)
	if out, err := e.deploy(t.TempDir()); err == nil || !strings.Contains(out, "index.html") {
		t.Errorf("deploy of an empty dist: err %v\n%s", err, out)
	}
	if keys := testbed.ListBucket(t, e.s3, e.bucket); len(keys) != 0 {
		t.Errorf("published without a build: %v", keys)
	}

	bare := setup(t, false)
	if out, err := bare.deploy(writeDist(t)); err == nil || !strings.Contains(out, "ConsoleConfig") {
		t.Errorf("deploy to a stack without outputs: err %v\n%s", err, out)
	}
	if keys := testbed.ListBucket(t, bare.s3, bare.bucket); len(keys) != 0 {
		t.Errorf("published to a stack without the console's outputs: %v", keys)
	}
}

func (e *env) region() string {
	for _, v := range e.vars {
		if r, ok := strings.CutPrefix(v, "AWS_DEFAULT_REGION="); ok {
			return r
		}
	}
	return ""
}

func mustMarshal(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
