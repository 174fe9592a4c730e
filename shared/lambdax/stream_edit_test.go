package lambdax

import (
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// A customer's edit of a message's text is indexed (its new words); a
// status move or a reaction on a message is not.
func TestStreamIndexesEditedText(t *testing.T) {
	msg := func(text string, extra map[string]events.DynamoDBAttributeValue) map[string]events.DynamoDBAttributeValue {
		img := map[string]events.DynamoDBAttributeValue{
			"PK": events.NewStringAttribute("TICKET#7"), "SK": events.NewStringAttribute("MSG#2026-11-21T09:30:00.000000000Z#m1"),
			"id": events.NewStringAttribute("m1"), "ticketId": events.NewStringAttribute("7"), "direction": events.NewStringAttribute("in"),
			"text": events.NewStringAttribute(text),
		}
		for k, v := range extra {
			img[k] = v
		}
		return img
	}
	modify := func(before, after map[string]events.DynamoDBAttributeValue) events.DynamoDBEventRecord {
		return events.DynamoDBEventRecord{EventName: "MODIFY", Change: events.DynamoDBStreamRecord{
			Keys: map[string]events.DynamoDBAttributeValue{"PK": before["PK"], "SK": before["SK"]}, OldImage: before, NewImage: after}}
	}
	c, ok, err := streamChange(modify(msg("hello", nil), msg("hello, order 4412", nil)))
	if err != nil || !ok || c.Message == nil || c.Message.Text != "hello, order 4412" {
		t.Fatalf("an edited text: %+v %v %v", c, ok, err)
	}
	status := map[string]events.DynamoDBAttributeValue{"status": events.NewStringAttribute("read")}
	if _, ok, _ := streamChange(modify(msg("hello", nil), msg("hello", status))); ok {
		t.Fatal("a status move was indexed")
	}
}
