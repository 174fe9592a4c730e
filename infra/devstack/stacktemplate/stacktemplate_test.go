package stacktemplate_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"

	"github.com/stackdesk/stackdesk"
	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
)

func parseTemplate(t *testing.T) *stacktemplate.Template {
	t.Helper()
	tpl, err := stacktemplate.Parse(stackdesk.Template)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func props(t *testing.T, tpl *stacktemplate.Template, id string) map[string]any {
	t.Helper()
	r, ok := tpl.Resources[id]
	if !ok {
		t.Fatalf("template has no resource %s", id)
	}
	var p map[string]any
	if err := json.Unmarshal(r.Properties, &p); err != nil {
		t.Fatalf("%s: %v", id, err)
	}
	return p
}

func TestTemplateTable(t *testing.T) {
	tpl := parseTemplate(t)
	if ids := tpl.ByType("AWS::DynamoDB::Table"); len(ids) != 1 {
		t.Fatalf("tables = %v, want exactly one", ids)
	}
	tb, err := tpl.Table("t")
	if err != nil {
		t.Fatal(err)
	}
	in := tb.Create
	if *in.TableName != "t" || in.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("name %q, billing %q", *in.TableName, in.BillingMode)
	}
	key := func(pk, sk string) []types.KeySchemaElement {
		return []types.KeySchemaElement{
			{AttributeName: &pk, KeyType: types.KeyTypeHash},
			{AttributeName: &sk, KeyType: types.KeyTypeRange},
		}
	}
	if !reflect.DeepEqual(in.KeySchema, key("PK", "SK")) {
		t.Errorf("key schema = %s", keys(in.KeySchema))
	}

	// DynamoDB refuses attribute definitions no key uses, so the definitions
	// must be exactly the key attributes, all strings.
	wantAttrs := map[string]bool{"PK": true, "SK": true}
	if len(in.GlobalSecondaryIndexes) != 6 {
		t.Fatalf("%d GSIs, want 6", len(in.GlobalSecondaryIndexes))
	}
	for i, g := range in.GlobalSecondaryIndexes {
		name := fmt.Sprintf("GSI%d", i+1)
		pk, sk := name+"PK", name+"SK"
		wantAttrs[pk], wantAttrs[sk] = true, true
		if *g.IndexName != name {
			t.Errorf("index %d is %s, want %s", i, *g.IndexName, name)
		}
		if !reflect.DeepEqual(g.KeySchema, key(pk, sk)) {
			t.Errorf("%s key schema = %s", name, keys(g.KeySchema))
		}
		// The view indexes project everything (a list needs no read per
		// row); the relay's outbox index and the SLA sweep's due-date
		// index only find tickets.
		want := types.ProjectionTypeAll
		if name == "GSI5" || name == "GSI6" {
			want = types.ProjectionTypeKeysOnly
		}
		if g.Projection == nil || g.Projection.ProjectionType != want {
			t.Errorf("%s projection = %+v, want %s", name, g.Projection, want)
		}
	}
	gotAttrs := map[string]bool{}
	for _, a := range in.AttributeDefinitions {
		gotAttrs[*a.AttributeName] = true
		if a.AttributeType != types.ScalarAttributeTypeS {
			t.Errorf("attribute %s is %s, want S", *a.AttributeName, a.AttributeType)
		}
	}
	if !reflect.DeepEqual(gotAttrs, wantAttrs) || len(in.AttributeDefinitions) != len(wantAttrs) {
		t.Errorf("attribute definitions = %v, want %v", gotAttrs, wantAttrs)
	}

	if tb.TTLAttribute != "expiresAt" {
		t.Errorf("TTL attribute = %q, want expiresAt", tb.TTLAttribute)
	}
	if s := in.StreamSpecification; s == nil || !*s.StreamEnabled || s.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Errorf("stream = %+v, want NEW_AND_OLD_IMAGES", s)
	}
}

func keys(ks []types.KeySchemaElement) string {
	s := ""
	for _, k := range ks {
		s += *k.AttributeName + ":" + string(k.KeyType) + " "
	}
	return s
}

func TestTemplateQueues(t *testing.T) {
	tpl := parseTemplate(t)
	qs, err := tpl.Queues()
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, q := range qs {
		pos[q.LogicalID] = i
	}

	// Every dead-letter queue exists, is of the same kind, and comes before
	// the queue that redrives to it (emulate creates them in this order).
	for i, q := range qs {
		if q.DeadLetterQueue == "" {
			continue
		}
		j, ok := pos[q.DeadLetterQueue]
		if !ok {
			t.Errorf("%s redrives to %s, which is not a queue", q.LogicalID, q.DeadLetterQueue)
			continue
		}
		if j > i {
			t.Errorf("%s (at %d) comes after %s (at %d), which redrives to it", q.DeadLetterQueue, j, q.LogicalID, i)
		}
		if qs[j].FIFO != q.FIFO {
			t.Errorf("%s FIFO=%v but its dead-letter queue %s FIFO=%v", q.LogicalID, q.FIFO, q.DeadLetterQueue, qs[j].FIFO)
		}
		if q.MaxReceiveCount < 1 {
			t.Errorf("%s maxReceiveCount = %d", q.LogicalID, q.MaxReceiveCount)
		}
	}

	i, ok := pos["IngestQueue"]
	if !ok {
		t.Fatal("no IngestQueue")
	}
	ingest := qs[i]
	if !ingest.FIFO || ingest.DeadLetterQueue != "IngestDLQ" || ingest.MaxReceiveCount != 5 {
		t.Errorf("IngestQueue = %+v, want FIFO redriving to IngestDLQ after 5 receives", ingest)
	}

	// The router consumes the ingest queue with partial batch responses
	// (HandleSQS reports failed records; without this setting Lambda ignores
	// them and redelivers the whole batch).
	consumer := ""
	for _, id := range tpl.ByType("AWS::Lambda::EventSourceMapping") {
		p := props(t, tpl, id)
		if !reflect.DeepEqual(p["EventSourceArn"], map[string]any{"Fn::GetAtt": "IngestQueue.Arn"}) {
			continue
		}
		ref, _ := p["FunctionName"].(map[string]any)
		consumer, _ = ref["Ref"].(string)
		if !reflect.DeepEqual(p["FunctionResponseTypes"], []any{"ReportBatchItemFailures"}) {
			t.Errorf("%s FunctionResponseTypes = %v, want [ReportBatchItemFailures]", id, p["FunctionResponseTypes"])
		}
	}
	if consumer != "RouterFunction" {
		t.Fatalf("IngestQueue is consumed by %q, want RouterFunction", consumer)
	}

	// AWS: a queue's visibility timeout should be at least six times its
	// consumer's timeout, or in-flight records reappear while still running.
	timeout := functionTimeout(t, tpl, consumer)
	vis, err := strconv.Atoi(ingest.Attributes["VisibilityTimeout"])
	if err != nil {
		t.Fatalf("IngestQueue VisibilityTimeout %q: %v", ingest.Attributes["VisibilityTimeout"], err)
	}
	if vis < 6*timeout {
		t.Errorf("IngestQueue VisibilityTimeout = %ds, want >= 6 x %s Timeout (%ds) = %ds", vis, consumer, timeout, 6*timeout)
	}
}

// functionTimeout is a function's Timeout, or the SAM Globals one when the
// function does not set its own.
func functionTimeout(t *testing.T, tpl *stacktemplate.Template, id string) int {
	t.Helper()
	if v, ok := props(t, tpl, id)["Timeout"]; ok {
		n, ok := v.(float64)
		if !ok || n <= 0 {
			t.Fatalf("%s Timeout = %v, want a positive number", id, v)
		}
		return int(n)
	}
	var doc struct {
		Globals struct {
			Function struct {
				Timeout int `yaml:"Timeout"`
			} `yaml:"Function"`
		} `yaml:"Globals"`
	}
	if err := yaml.Unmarshal(stackdesk.Template, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Globals.Function.Timeout <= 0 {
		t.Fatalf("%s has no Timeout and Globals.Function has none either", id)
	}
	return doc.Globals.Function.Timeout
}

func TestParseRewritesShortFormIntrinsics(t *testing.T) {
	const src = `
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Role: !GetAtt FnRole.Arn
      Env: !Ref Env
      Name: !Sub "${AWS::StackName}-fn"
      NameWithVars: !Sub
        - "${Base}-${Suffix}"
        - Base: !Ref Env
          Suffix: worker
      Timeout: !If [IsProd, 30, 10]
      Tracing: !If [IsProd, Active, !Ref "AWS::NoValue"]
      Plain: 5
      Quoted: "007"
      Flag: true
      List: [a, !Ref B]
  Bucket:
    Type: AWS::S3::Bucket
`
	tpl, err := stacktemplate.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(tpl.Resources) != 2 || tpl.Resources["Fn"].Type != "AWS::Lambda::Function" || tpl.Resources["Bucket"].Type != "AWS::S3::Bucket" {
		t.Fatalf("resources = %+v", tpl.Resources)
	}
	var got map[string]any
	if err := json.Unmarshal(tpl.Resources["Fn"].Properties, &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Role": map[string]any{"Fn::GetAtt": "FnRole.Arn"},
		"Env":  map[string]any{"Ref": "Env"},
		"Name": map[string]any{"Fn::Sub": "${AWS::StackName}-fn"},
		"NameWithVars": map[string]any{"Fn::Sub": []any{
			"${Base}-${Suffix}",
			map[string]any{"Base": map[string]any{"Ref": "Env"}, "Suffix": "worker"},
		}},
		"Timeout": map[string]any{"Fn::If": []any{"IsProd", 30.0, 10.0}},
		"Tracing": map[string]any{"Fn::If": []any{"IsProd", "Active", map[string]any{"Ref": "AWS::NoValue"}}},
		"Plain":   5.0,
		"Quoted":  "007",
		"Flag":    true,
		"List":    []any{"a", map[string]any{"Ref": "B"}},
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("properties\n%s\nwant\n%s", g, w)
	}
}

func TestQueuesOrderRedriveChainsAndRejectWhatCannotBeResolved(t *testing.T) {
	chain := `
Resources:
  A: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt B.Arn, maxReceiveCount: 3}}}
  B: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {deadLetterTargetArn: {"Fn::GetAtt": [C, Arn]}, maxReceiveCount: 4}}}
  C: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: 30}}
`
	tpl, err := stacktemplate.Parse([]byte(chain))
	if err != nil {
		t.Fatal(err)
	}
	qs, err := tpl.Queues()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, q := range qs {
		order = append(order, q.LogicalID)
	}
	if strings.Join(order, ",") != "C,B,A" {
		t.Fatalf("order = %v, want C,B,A", order)
	}
	for name, yml := range map[string]string{
		"getatt without .Arn": "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt D, maxReceiveCount: 1}}}\n  D: {Type: AWS::SQS::Queue}\n",
		"getatt of a name":    "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt D.QueueName, maxReceiveCount: 1}}}\n  D: {Type: AWS::SQS::Queue}\n",
		"unknown dlq":         "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {deadLetterTargetArn: !GetAtt Z.Arn, maxReceiveCount: 1}}}\n",
		"intrinsic attribute": "Resources:\n  A: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: !Ref P}}\n",
	} {
		t.Run(name, func(t *testing.T) {
			tpl, err := stacktemplate.Parse([]byte(yml))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tpl.Queues(); err == nil {
				t.Fatal("want an error")
			}
		})
	}
}
