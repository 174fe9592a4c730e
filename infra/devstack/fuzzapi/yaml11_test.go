package fuzzapi_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// A key YAML 1.1 reads as a boolean (off, on, yes, no, y, n) breaks the
// Python tools that read our OpenAPI documents (schemathesis, validators):
// Go's YAML 1.2 reader takes it as a string, so only this catches it.
func TestOpenAPIKeysAreStringsInYAML11(t *testing.T) {
	boolKey := regexp.MustCompile(`^\s*(?:-\s+)?(?i:on|off|yes|no|y|n):`)
	for _, doc := range []string{
		"../../../shared/api/agent/openapi.yaml",
		"../../../shared/api/portal/openapi.yaml",
		"../../../shared/api/csatpage/openapi.yaml",
		"../../../shared/api/webhook/unsubscribe.yaml",
	} {
		raw, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(raw), "\n") {
			if boolKey.MatchString(line) {
				t.Errorf("%s:%d: %q is a boolean key in YAML 1.1: quote it", doc, i+1, strings.TrimSpace(line))
			}
		}
	}
}
