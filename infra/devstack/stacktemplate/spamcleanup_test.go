package stacktemplate_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
)

// spam-cleanup's stream mapping lets through exactly DynamoDB's TTL
// removals of tickets and messages (the pattern is evaluated here against
// records shaped as DynamoDB Streams delivers them), reports partial batch
// failures, sends what still fails to its alarmed DLQ, and runs a daily
// sweep; its policy never scans and keeps to the cascade's keys.
func TestTemplateSpamCleanup(t *testing.T) {
	tpl := parseTemplate(t)
	p := props(t, tpl, "SpamCleanupFunction")
	events, _ := p["Events"].(map[string]any)
	stream, _ := events["TableStream"].(map[string]any)
	sp, _ := stream["Properties"].(map[string]any)
	if stream["Type"] != "DynamoDB" || !reflect.DeepEqual(sp["Stream"], map[string]any{"Fn::GetAtt": "Table.StreamArn"}) {
		t.Fatalf("TableStream = %v", stream)
	}
	if !reflect.DeepEqual(sp["FunctionResponseTypes"], []any{"ReportBatchItemFailures"}) {
		t.Errorf("FunctionResponseTypes = %v", sp["FunctionResponseTypes"])
	}
	dest, _ := sp["DestinationConfig"].(map[string]any)
	onFail, _ := dest["OnFailure"].(map[string]any)
	if !reflect.DeepEqual(onFail["Destination"], map[string]any{"Fn::GetAtt": "SpamCleanupDLQ.Arn"}) {
		t.Errorf("OnFailure = %v, want SpamCleanupDLQ", onFail)
	}
	alarm := props(t, tpl, "SpamCleanupDLQAlarm")
	if !strings.Contains(mustJSON(t, alarm["Dimensions"]), "SpamCleanupDLQ.QueueName") {
		t.Errorf("the alarm does not watch SpamCleanupDLQ: %v", alarm["Dimensions"])
	}
	daily, _ := events["Daily"].(map[string]any)
	dp, _ := daily["Properties"].(map[string]any)
	if daily["Type"] != "ScheduleV2" || dp["ScheduleExpression"] != "rate(1 day)" {
		t.Errorf("Daily = %v", daily)
	}
	patterns, err := tpl.EventFilters("SpamCleanupFunction", "TableStream")
	if err != nil || len(patterns) == 0 {
		t.Fatalf("TableStream filters: %v, %v", patterns, err)
	}
	if in, err := tpl.ScheduleInput("SpamCleanupFunction", "Daily"); err != nil || string(in) != `{"source": "stackdesk.spam-cleanup"}` {
		t.Errorf("Daily input = %s, %v", in, err)
	}
	raw, err := os.ReadFile("../../../events/spam-cleanup/ttl-remove.json")
	if err != nil {
		t.Fatal(err)
	}
	var recorded struct{ Records []map[string]any }
	if err := json.Unmarshal(raw, &recorded); err != nil {
		t.Fatal(err)
	}
	ttl := recorded.Records[0]
	with := func(sk string, identity any) map[string]any {
		var fresh struct{ Records []map[string]any }
		_ = json.Unmarshal(raw, &fresh)
		r := fresh.Records[0]
		r["dynamodb"].(map[string]any)["Keys"].(map[string]any)["SK"] = map[string]any{"S": sk}
		if identity == nil {
			delete(r, "userIdentity")
		} else {
			r["userIdentity"] = identity
		}
		return r
	}
	cases := []struct {
		name string
		rec  map[string]any
		want bool
	}{
		{"TTL removes a ticket", ttl, true},
		{"TTL removes a message", with("MSG#2026-08-01T09:00:00.000000000Z#m1", ttl["userIdentity"]), true},
		{"an agent deletes a ticket", with("TICKET", nil), false},
		{"TTL removes a thread key", with("THREAD", ttl["userIdentity"]), false},
		{"TTL removes a dedupe record", with("DEDUPE", ttl["userIdentity"]), false},
		{"another service", with("TICKET", map[string]any{"type": "Service", "principalId": "lambda.amazonaws.com"}), false},
	}
	for _, c := range cases {
		if got := stacktemplate.PassesFilters(patterns, c.rec); got != c.want {
			t.Errorf("%s: passes the filter = %v, want %v", c.name, got, c.want)
		}
	}

	pol := mustJSON(t, p["Policies"])
	if strings.Contains(pol, "dynamodb:Scan") || strings.Contains(pol, `"dynamodb:*"`) || strings.Contains(pol, `"s3:*"`) {
		t.Errorf("spam-cleanup's policy is too broad: %s", pol)
	}
	for _, want := range []string{"dynamodb:LeadingKeys", "${MailBucket.Arn}/attachments/*", "SpamCleanupDLQ.Arn"} {
		if !strings.Contains(pol, want) {
			t.Errorf("spam-cleanup's policy lacks %s", want)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
