package stacktemplate_test

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// sla-sweep (issue 15) runs every minute, one run at a time, with no
// retries on top of the schedule (the next minute is the retry); it finds
// due tickets through GSI6 only (no Scan, no other index), writes only
// tickets, notifications and the settings, publishes only to the outbound
// queue, and an alarm watches its failed runs.
func TestTemplateSLASweep(t *testing.T) {
	tpl := parseTemplate(t)
	p := props(t, tpl, "SLASweepFunction")
	events, _ := p["Events"].(map[string]any)
	every, _ := events["EveryMinute"].(map[string]any)
	ep, _ := every["Properties"].(map[string]any)
	if every["Type"] != "ScheduleV2" || ep["ScheduleExpression"] != "rate(1 minute)" || ep["OmitName"] != true {
		t.Errorf("EveryMinute = %v", every)
	}
	if rp, _ := ep["RetryPolicy"].(map[string]any); rp["MaximumRetryAttempts"] != float64(0) {
		t.Errorf("schedule retries = %v, want 0", rp)
	}
	sample, err := os.ReadFile("../../../events/sla-sweep/schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	if in, err := tpl.ScheduleInput("SLASweepFunction", "EveryMinute"); err != nil || string(in) != strings.TrimSpace(string(sample)) {
		t.Errorf("EveryMinute input = %s, %v; want the sample event %s", in, err, sample)
	}
	if p["ReservedConcurrentExecutions"] != float64(1) {
		t.Errorf("ReservedConcurrentExecutions = %v, want 1", p["ReservedConcurrentExecutions"])
	}
	if eic, _ := p["EventInvokeConfig"].(map[string]any); eic["MaximumRetryAttempts"] != float64(0) {
		t.Errorf("EventInvokeConfig = %v, want no retries", eic)
	}
	if lc, _ := p["LoggingConfig"].(map[string]any); !reflect.DeepEqual(lc["LogGroup"], map[string]any{"Ref": "SLASweepLogs"}) {
		t.Errorf("log group = %v", lc)
	}

	pol := mustJSON(t, p["Policies"])
	for _, bad := range []string{"dynamodb:Scan", `"dynamodb:*"`, `"sqs:*"`, "DeleteItem", "BatchWriteItem", "/index/*", "/index/GSI1", "/index/GSI3"} {
		if strings.Contains(pol, bad) {
			t.Errorf("sla-sweep's policy allows %s: %s", bad, pol)
		}
	}
	// A transaction is authorised per item (PutItem, UpdateItem,
	// ConditionCheckItem): there is no TransactWriteItems action.
	for _, want := range []string{`${Table.Arn}/index/GSI6`, "dynamodb:ConditionCheckItem", "dynamodb:LeadingKeys", "OutboundQueue.Arn"} {
		if !strings.Contains(pol, want) {
			t.Errorf("sla-sweep's policy lacks %s: %s", want, pol)
		}
	}
	alarm := props(t, tpl, "SLASweepErrorsAlarm")
	if alarm["MetricName"] != "Errors" || !strings.Contains(mustJSON(t, alarm["Dimensions"]), `{"Ref":"SLASweepFunction"}`) {
		t.Errorf("the alarm does not watch sla-sweep's errors: %v %v", alarm["MetricName"], alarm["Dimensions"])
	}
}
