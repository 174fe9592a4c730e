package wire_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stackdesk/stackdesk"
	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
	"github.com/stackdesk/stackdesk/shared/platform/config"
	"github.com/stackdesk/stackdesk/shared/wire"
)

// configs maps each SAM function to the configuration its main loads.
var configs = map[string]any{
	"FormWebhookFunction":      &wire.FormWebhookConfig{},
	"MessengerWebhookFunction": &wire.MetaWebhookConfig{},
	"WhatsAppWebhookFunction":  &wire.MetaWebhookConfig{},
	"EmailInboundFunction":     &wire.EmailInboundConfig{},
	"RouterFunction":           &wire.RouterConfig{},
	"OutboundFunction":         &wire.OutboundConfig{},
	"OutboxRelayFunction":      &wire.OutboxRelayConfig{},
	"AgentApiFunction":         &wire.AgentAPIConfig{},
	"SearchIndexerFunction":    &wire.SearchIndexerConfig{},
	"SpamCleanupFunction":      &wire.SpamCleanupConfig{},
	"CsatPageFunction":         &wire.CSATPageConfig{},
	"PortalApiFunction":        &wire.PortalAPIConfig{},
	"UnsubscribeFunction":      &wire.UnsubscribeConfig{},
	"SLASweepFunction":         &wire.SLASweepConfig{},
}

// globals are the variables template.yaml sets on every function.
var globals = []string{"TENANT", "TABLE_NAME"}

// Every function in the template has a configuration, the template sets
// every variable it requires, and it sets none the function ignores: a
// renamed variable fails here, not at a deployed cold start.
func TestTemplateEnvironmentMatchesEachFunctionsConfig(t *testing.T) {
	tpl, err := stacktemplate.Parse(stackdesk.Template)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range tpl.ByType("AWS::Serverless::Function") {
		t.Run(id, func(t *testing.T) {
			cfg, ok := configs[id]
			if !ok {
				t.Fatalf("%s has no configuration in this test: add it", id)
			}
			var props struct {
				Environment struct{ Variables map[string]any }
			}
			if err := json.Unmarshal(tpl.Resources[id].Properties, &props); err != nil {
				t.Fatal(err)
			}
			set := slices.Clone(globals)
			for name := range props.Environment.Variables {
				set = append(set, name)
			}
			lookup := func(name string) (string, bool) {
				if slices.Contains(set, name) {
					return "x", true
				}
				return "", false
			}
			// Durations need a parseable value; the rest takes anything.
			typed := func(name string) (string, bool) {
				v, ok := lookup(name)
				if ok && (strings.HasSuffix(name, "_TTL") || strings.HasSuffix(name, "_GRACE") || strings.HasSuffix(name, "_TIMEOUT") || strings.HasSuffix(name, "_BUDGET") || strings.HasSuffix(name, "_MARGIN")) {
					v = "1s"
				}
				if ok && name == "META_PRODUCT" {
					v = "messenger"
				}
				return v, ok
			}
			fresh := reflect.New(reflect.TypeOf(cfg).Elem()).Interface()
			if err := config.Load(fresh, typed); err != nil {
				t.Fatalf("the template's environment does not satisfy the config: %v", err)
			}
			known := envNames(reflect.TypeOf(cfg).Elem())
			for _, name := range set {
				if !slices.Contains(known, name) {
					t.Errorf("the template sets %s, which %T never reads", name, cfg)
				}
			}
		})
	}
}

// envNames lists the env tags of a config struct, embedded structs included.
func envNames(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		if tag, ok := f.Tag.Lookup("env"); ok {
			name, _, _ := strings.Cut(tag, ",")
			out = append(out, name)
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			out = append(out, envNames(f.Type)...)
		}
	}
	return out
}

func TestMetaWebhookRefusesAnUnknownProduct(t *testing.T) {
	if _, err := wire.MetaWebhook(wire.MetaWebhookConfig{Product: "telegram"}, awsConfig(), nil); err == nil ||
		!strings.Contains(err.Error(), "META_PRODUCT") {
		t.Fatalf("err = %v, want a META_PRODUCT error", err)
	}
}

func awsConfig() aws.Config { return aws.Config{Region: "us-east-1"} }
