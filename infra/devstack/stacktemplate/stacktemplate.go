// Package stacktemplate reads the resource definitions of template.yaml (the
// table, queues, buckets, user pools and app clients) so emulators get
// exactly what AWS gets.
package stacktemplate

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"
)

// Template holds the resources of a CloudFormation/SAM template.
type Template struct {
	Resources map[string]Resource
	// Outputs are the stack's outputs (Value, Description ...) as plain
	// JSON, intrinsics in their long form.
	Outputs map[string]json.RawMessage
}

// Resource is one resource with its properties as plain JSON, intrinsic
// functions in their long form ({"Ref": ...}, {"Fn::GetAtt": ...}).
type Resource struct {
	Type       string
	Properties json.RawMessage
}

// Parse reads a YAML template, short-form intrinsics (!Ref, !GetAtt, !Sub ...) included.
func Parse(src []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	v, err := plain(&doc)
	if err != nil {
		return nil, fmt.Errorf("parse template: %w", err)
	}
	root, _ := v.(map[string]any)
	res, _ := root["Resources"].(map[string]any)
	t := &Template{Resources: map[string]Resource{}}
	for id, r := range res {
		m, _ := r.(map[string]any)
		typ, _ := m["Type"].(string)
		props, err := json.Marshal(m["Properties"])
		if err != nil {
			return nil, fmt.Errorf("resource %s: %w", id, err)
		}
		t.Resources[id] = Resource{Type: typ, Properties: props}
	}
	outs, _ := root["Outputs"].(map[string]any)
	t.Outputs = make(map[string]json.RawMessage, len(outs))
	for id, o := range outs {
		raw, err := json.Marshal(o)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", id, err)
		}
		t.Outputs[id] = raw
	}
	return t, nil
}

// plain turns a YAML node into maps, slices and scalars, rewriting short-form
// intrinsic tags to their long form.
func plain(n *yaml.Node) (any, error) {
	var v any
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return plain(n.Content[0])
	case yaml.AliasNode:
		return plain(n.Alias)
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			val, err := plain(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = val
		}
		v = m
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			val, err := plain(c)
			if err != nil {
				return nil, err
			}
			s = append(s, val)
		}
		v = s
	case yaml.ScalarNode:
		if len(n.Tag) > 1 && n.Tag[0] == '!' && n.Tag[1] != '!' {
			v = n.Value
		} else if err := n.Decode(&v); err != nil {
			return nil, err
		}
	}
	if len(n.Tag) > 1 && n.Tag[0] == '!' && n.Tag[1] != '!' {
		name := n.Tag[1:]
		if name != "Ref" && name != "Condition" {
			name = "Fn::" + name
		}
		return map[string]any{name: v}, nil
	}
	return v, nil
}

// ByType returns the logical ids of resources of a type, sorted.
func (t *Template) ByType(typ string) []string {
	var ids []string
	for id, r := range t.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

type tableProps struct {
	BillingMode            string
	AttributeDefinitions   []struct{ AttributeName, AttributeType string }
	KeySchema              []keyElem
	GlobalSecondaryIndexes []struct {
		IndexName  string
		KeySchema  []keyElem
		Projection struct {
			ProjectionType   string
			NonKeyAttributes []string
		}
	}
	TimeToLiveSpecification *struct {
		AttributeName string
		Enabled       bool
	}
	StreamSpecification *struct{ StreamViewType string }
}

type keyElem struct{ AttributeName, KeyType string }

// Table is a table definition ready to create under a chosen name.
type Table struct {
	Create       *dynamodb.CreateTableInput
	TTLAttribute string // "" when TTL is off
}

// Table returns the definition of the template's one AWS::DynamoDB::Table.
func (t *Template) Table(name string) (Table, error) {
	ids := t.ByType("AWS::DynamoDB::Table")
	if len(ids) != 1 {
		return Table{}, fmt.Errorf("template has %d tables, want 1", len(ids))
	}
	var p tableProps
	if err := json.Unmarshal(t.Resources[ids[0]].Properties, &p); err != nil {
		return Table{}, fmt.Errorf("table %s: %w", ids[0], err)
	}
	in := &dynamodb.CreateTableInput{TableName: &name, BillingMode: types.BillingMode(p.BillingMode)}
	for _, a := range p.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: strPtr(a.AttributeName), AttributeType: types.ScalarAttributeType(a.AttributeType)})
	}
	in.KeySchema = keySchema(p.KeySchema)
	for _, g := range p.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, types.GlobalSecondaryIndex{
			IndexName: strPtr(g.IndexName),
			KeySchema: keySchema(g.KeySchema),
			Projection: &types.Projection{
				ProjectionType:   types.ProjectionType(g.Projection.ProjectionType),
				NonKeyAttributes: g.Projection.NonKeyAttributes,
			},
		})
	}
	if p.StreamSpecification != nil {
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled:  boolPtr(true),
			StreamViewType: types.StreamViewType(p.StreamSpecification.StreamViewType),
		}
	}
	tb := Table{Create: in}
	if p.TimeToLiveSpecification != nil && p.TimeToLiveSpecification.Enabled {
		tb.TTLAttribute = p.TimeToLiveSpecification.AttributeName
	}
	return tb, nil
}

func keySchema(ks []keyElem) []types.KeySchemaElement {
	out := make([]types.KeySchemaElement, len(ks))
	for i, k := range ks {
		out[i] = types.KeySchemaElement{AttributeName: strPtr(k.AttributeName), KeyType: types.KeyType(k.KeyType)}
	}
	return out
}

// Queue is an SQS queue definition: its attributes as SQS names them, with
// the dead-letter target left as a logical id to resolve at creation.
type Queue struct {
	LogicalID       string
	FIFO            bool
	Attributes      map[string]string
	DeadLetterQueue string // logical id, "" if none
	MaxReceiveCount int
}

// Queues returns the template's queues, each after the dead-letter queue it
// redrives to, so they can be created in order.
func (t *Template) Queues() ([]Queue, error) {
	byID := map[string]Queue{}
	for _, id := range t.ByType("AWS::SQS::Queue") {
		var p map[string]any
		if err := json.Unmarshal(t.Resources[id].Properties, &p); err != nil {
			return nil, fmt.Errorf("queue %s: %w", id, err)
		}
		q := Queue{LogicalID: id, Attributes: map[string]string{}}
		for k, v := range p {
			switch k {
			case "QueueName", "Tags":
			case "RedrivePolicy":
				rp, _ := v.(map[string]any)
				dlq, err := arnOf(rp["deadLetterTargetArn"])
				if err != nil {
					return nil, fmt.Errorf("queue %s: %w", id, err)
				}
				n, _ := rp["maxReceiveCount"].(float64)
				q.DeadLetterQueue, q.MaxReceiveCount = dlq, int(n)
			default:
				s, err := scalarString(v)
				if err != nil {
					return nil, fmt.Errorf("queue %s: %s: %w", id, k, err)
				}
				q.Attributes[k] = s
			}
		}
		q.FIFO = q.Attributes["FifoQueue"] == "true"
		byID[id] = q
	}
	var ordered []Queue
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(id string) error
	visit = func(id string) error {
		switch state[id] {
		case 1:
			return fmt.Errorf("queue %s: redrive cycle", id)
		case 2:
			return nil
		}
		q, ok := byID[id]
		if !ok {
			return fmt.Errorf("dead-letter queue %s is not a queue of the template", id)
		}
		state[id] = 1
		if q.DeadLetterQueue != "" {
			if err := visit(q.DeadLetterQueue); err != nil {
				return err
			}
		}
		state[id] = 2
		ordered = append(ordered, q)
		return nil
	}
	for _, id := range t.ByType("AWS::SQS::Queue") {
		if err := visit(id); err != nil {
			return nil, err
		}
	}
	return ordered, nil
}

// arnOf reads the logical id out of `!GetAtt X.Arn` or `Fn::GetAtt: [X, Arn]`.
func arnOf(v any) (string, error) {
	m, _ := v.(map[string]any)
	switch g := m["Fn::GetAtt"].(type) {
	case string:
		if id, ok := strings.CutSuffix(g, ".Arn"); ok && id != "" {
			return id, nil
		}
	case []any:
		if len(g) == 2 && g[1] == "Arn" {
			if id, ok := g[0].(string); ok && id != "" {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("deadLetterTargetArn must be !GetAtt <Queue>.Arn, got %v", v)
}

// scalarString renders a literal attribute value; intrinsics (a parameter
// reference, say) cannot be resolved locally and are refused.
func scalarString(v any) (string, error) {
	switch v := v.(type) {
	case bool:
		return strconv.FormatBool(v), nil
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case string:
		return v, nil
	}
	return "", fmt.Errorf("value %v is not a literal", v)
}

func strPtr(s string) *string { return &s }
func boolPtr(b bool) *bool    { return &b }
