package config

import (
	"strings"
	"testing"
	"time"
)

type sample struct {
	Table   string        `env:"TABLE_NAME,required"`
	Queue   string        `env:"QUEUE_URL,required"`
	Level   string        `env:"LOG_LEVEL" default:"INFO"`
	Limit   int64         `env:"LIMIT" default:"10"`
	Debug   bool          `env:"DEBUG"`
	Timeout time.Duration `env:"TIMEOUT" default:"5s"`
}

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadFillsFieldsAndDefaults(t *testing.T) {
	var c sample
	err := Load(&c, env(map[string]string{"TABLE_NAME": "t", "QUEUE_URL": "q", "LIMIT": "42", "DEBUG": "true"}))
	if err != nil {
		t.Fatal(err)
	}
	want := sample{Table: "t", Queue: "q", Level: "INFO", Limit: 42, Debug: true, Timeout: 5 * time.Second}
	if c != want {
		t.Fatalf("got %+v, want %+v", c, want)
	}
}

func TestLoadListsEveryMissingAndInvalidVariable(t *testing.T) {
	var c sample
	err := Load(&c, env(map[string]string{"LIMIT": "ten", "TIMEOUT": "soon"}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, s := range []string{"TABLE_NAME", "QUEUE_URL", `LIMIT="ten"`, `TIMEOUT="soon"`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %s", err, s)
		}
	}
}

func TestLoadRejectsNonStruct(t *testing.T) {
	var s string
	if err := Load(&s, env(nil)); err == nil {
		t.Fatal("want an error for a non-struct")
	}
}

type Shared struct {
	Tenant string `env:"TENANT,required"`
}

type withEmbedded struct {
	Shared
	Queue string `env:"QUEUE_URL,required"`
}

func TestLoadFillsEmbeddedStructs(t *testing.T) {
	var c withEmbedded
	if err := Load(&c, env(map[string]string{"TENANT": "acme", "QUEUE_URL": "q"})); err != nil {
		t.Fatal(err)
	}
	if c.Tenant != "acme" || c.Queue != "q" {
		t.Fatalf("got %+v", c)
	}
	err := Load(&withEmbedded{}, env(map[string]string{"QUEUE_URL": "q"}))
	if err == nil || !strings.Contains(err.Error(), "TENANT") {
		t.Fatalf("missing embedded variable not reported: %v", err)
	}
}
