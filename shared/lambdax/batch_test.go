package lambdax

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func rec(id, group string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: id, Attributes: map[string]string{"MessageGroupId": group}}
}

func TestProcessFIFOStopsAFailedGroupOnly(t *testing.T) {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		rec("a1", "A"), rec("b1", "B"), rec("a2", "A"), rec("b2", "B"), rec("c1", "C"), rec("a3", "A"),
	}}
	var handled []string
	resp := ProcessFIFO(context.Background(), quiet, ev, func(_ context.Context, m events.SQSMessage) error {
		handled = append(handled, m.MessageId)
		if m.MessageId == "a2" {
			return errors.New("boom")
		}
		return nil
	})
	if want := []string{"a1", "b1", "a2", "b2", "c1"}; !reflect.DeepEqual(handled, want) {
		t.Fatalf("handled %v, want %v (a3 must not run after a2 failed)", handled, want)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if want := []string{"a2", "a3"}; !reflect.DeepEqual(failed, want) {
		t.Fatalf("failures %v, want %v", failed, want)
	}
}

func TestProcessFIFOHandsBackEverythingWhenOutOfTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp := ProcessFIFO(ctx, quiet, events.SQSEvent{Records: []events.SQSMessage{rec("a", "A"), rec("b", "B")}},
		func(context.Context, events.SQSMessage) error { t.Fatal("handled after the deadline"); return nil })
	if len(resp.BatchItemFailures) != 2 {
		t.Fatalf("failures = %v", resp.BatchItemFailures)
	}
}

func TestProcessStandardFailsOnlyTheFailedRecord(t *testing.T) {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		{MessageId: "j1", Body: "ok"}, {MessageId: "j2", Body: "fail"}, {MessageId: "j3", Body: "ok"}, {MessageId: "j4", Body: "fail"},
	}}
	var handled []string
	resp := ProcessStandard(context.Background(), quiet, ev, func(_ context.Context, m events.SQSMessage) error {
		handled = append(handled, m.MessageId)
		if m.Body == "fail" {
			return errors.New("boom")
		}
		return nil
	})
	if want := []string{"j1", "j2", "j3", "j4"}; !reflect.DeepEqual(handled, want) {
		t.Fatalf("handled %v, want every record %v", handled, want)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if want := []string{"j2", "j4"}; !reflect.DeepEqual(failed, want) {
		t.Fatalf("failures %v, want %v", failed, want)
	}
}

func TestProcessStandardHandsBackEverythingWhenOutOfTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp := ProcessStandard(ctx, quiet, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "a"}, {MessageId: "b"}}},
		func(context.Context, events.SQSMessage) error { t.Fatal("handled after the deadline"); return nil })
	if len(resp.BatchItemFailures) != 2 {
		t.Fatalf("failures = %v", resp.BatchItemFailures)
	}
}
