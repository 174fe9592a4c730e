// Package fuzzapi runs schemathesis against one of the stack's HTTP APIs
// from its OpenAPI document: the pieces every API's fuzz test shares (the
// CLI, the run's size and seed, the checks, a run isolated from the
// repository and from proxies, its summary). `make fuzz-api` and `make
// fuzz-portal` run a test built on it with more examples.
package fuzzapi

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// The fuzz run's size: schemathesis generates up to Examples() cases per
// operation and phase, with a fixed seed so a failure reproduces. make test
// runs DefaultExamples; the make fuzz-* targets set STACKDESK_FUZZ_EXAMPLES.
const (
	DefaultExamples = 25
	Seed            = 20240601
)

// Examples is STACKDESK_FUZZ_EXAMPLES, or DefaultExamples.
func Examples() int {
	if n, err := strconv.Atoi(os.Getenv("STACKDESK_FUZZ_EXAMPLES")); err == nil && n > 0 {
		return n
	}
	return DefaultExamples
}

// Checks are what every response is held to: no 5xx; the status code,
// content type, headers and body the document gives for it; a request the
// document forbids is refused (4xx); a method a path does not serve is a
// 405 with Allow; a request without valid credentials is a 401.
var Checks = []string{
	"not_a_server_error",
	"status_code_conformance",
	"content_type_conformance",
	"response_headers_conformance",
	"response_schema_conformance",
	"negative_data_rejection",
	"unsupported_method",
	"ignored_auth",
}

// Bin finds the schemathesis CLI, or skips the test (fails it under
// STACKDESK_REQUIRE_EMULATORS, as `make test` installs it).
func Bin(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("schemathesis")
	if err == nil {
		return bin
	}
	msg := "the API fuzz test needs the schemathesis CLI on PATH (`make test` installs it: infra/emulators.sh install)"
	if os.Getenv("STACKDESK_REQUIRE_EMULATORS") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// Run is one schemathesis run.
type Run struct {
	Name    string   // the caller, in the log
	Doc     string   // the OpenAPI document's file
	URL     string   // the server
	Headers []string // "Name: value", e.g. Authorization
	Config  string   // a schemathesis.toml's path ("" for none)
	Secrets []string // values to hide in the log (tokens)
	Args    []string // more of schemathesis run's options, e.g. --exclude-method
}

// Do runs r with bin, bounded by ctx, and returns the summary and output
// (secrets hidden) and whether it failed.
func (r Run) Do(ctx context.Context, t *testing.T, bin string) (summary, output string, err error) {
	var args []string
	if r.Config != "" {
		args = append(args, "--config-file", r.Config)
	}
	args = append(args, "run", r.Doc, "--url", r.URL)
	for _, h := range r.Headers {
		args = append(args, "--header", h)
	}
	args = append(args,
		"--checks", strings.Join(Checks, ","),
		"--phases", "examples,coverage,fuzzing",
		"--max-examples", strconv.Itoa(Examples()),
		"--seed", strconv.Itoa(Seed),
		"--workers", "1",
		"--generation-database", "none",
		"--no-color",
	)
	args = append(args, r.Args...)
	cmd := exec.CommandContext(ctx, bin, args...)
	// Its own empty directory: no other schemathesis.toml is picked up and
	// no report lands in the repository.
	cmd.Dir = t.TempDir()
	// Only the test server, on 127.0.0.1: no proxy.
	cmd.Env = append(os.Environ(), "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost",
		"HTTP_PROXY=", "HTTPS_PROXY=", "http_proxy=", "https_proxy=", "ALL_PROXY=", "all_proxy=")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	began := time.Now()
	err = cmd.Run()
	output = out.String()
	for _, s := range r.Secrets {
		if s != "" {
			output = strings.ReplaceAll(output, s, "<secret>")
		}
	}
	return Summary(output) + " in " + time.Since(began).Round(100*time.Millisecond).String(), output, err
}

// Summary is what a schemathesis run counted: the operations it selected
// and the test cases it generated.
func Summary(out string) string {
	var ops, cases string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		l = strings.TrimSpace(l)
		if after, ok := strings.CutPrefix(l, "Operations:"); ok && ops == "" {
			ops = strings.TrimSpace(after) + " operations"
		}
		if l == "Test cases:" && i+1 < len(lines) {
			cases = strings.TrimSpace(lines[i+1])
		}
	}
	return ops + "; test cases: " + cases
}

// Only returns doc (an OpenAPI document) with only the operations keep
// says yes to ("METHOD /path"), and the ones left out: a route the server
// does not serve yet is not fuzzed against a contract it cannot meet.
func Only(doc []byte, keep func(op string) bool) ([]byte, []string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, nil, err
	}
	var dropped []string
	top := root.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		if top.Content[i].Value != "paths" {
			continue
		}
		paths := top.Content[i+1]
		var keptPaths []*yaml.Node
		for j := 0; j+1 < len(paths.Content); j += 2 {
			path, ops := paths.Content[j], paths.Content[j+1]
			var keptOps []*yaml.Node
			methods := 0
			for k := 0; k+1 < len(ops.Content); k += 2 {
				m := strings.ToUpper(ops.Content[k].Value)
				switch m {
				case "GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE":
					if !keep(m + " " + path.Value) {
						dropped = append(dropped, m+" "+path.Value)
						continue
					}
					methods++
				}
				keptOps = append(keptOps, ops.Content[k], ops.Content[k+1])
			}
			ops.Content = keptOps
			if methods > 0 {
				keptPaths = append(keptPaths, path, ops)
			}
		}
		paths.Content = keptPaths
	}
	out, err := yaml.Marshal(&root)
	return out, dropped, err
}
