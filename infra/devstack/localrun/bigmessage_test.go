package localrun_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A signed Messenger text just under the webhook's 1 MiB cap, through the
// local stack: the webhook queues it (its body kept in the bucket), the
// router stores it with a snippet, the agent API links the whole text,
// nothing reaches the DLQ and no ticket number is skipped.
func TestBigMessengerMessageEndToEnd(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	line := "The courier's whole log, pasted in: parcel 1042 left the depot, came back, left again. "
	text := strings.Repeat(line, 900<<10/len(line))
	body := strings.Replace(fresh(fixture(t, "messenger_text.json")), `"hello, world!"`, strconv.Quote(text), 1)
	if len(body) >= meta.MaxBodySize || len(body) < 900<<10 {
		t.Fatalf("delivery of %d bytes, want just under %d", len(body), meta.MaxBodySize)
	}
	if code := s.deliver(t, "/messenger", body); code != http.StatusOK {
		t.Fatalf("POST /messenger: %d", code)
	}
	s.drain(t)

	conv := s.conversationOf(t, helpdesk.ChannelMessenger)
	var msg helpdesk.Message
	for _, m := range conv.Messages {
		if m.Direction == helpdesk.Inbound {
			msg = m
		}
	}
	if !msg.Truncated || msg.BodyKey == "" || len(msg.Text) > helpdesk.BodySnippetMax || !strings.HasPrefix(text, strings.TrimSuffix(msg.Text, helpdesk.Ellipsis)) {
		t.Fatalf("stored message: truncated=%v key=%q text %d bytes, want a snippet and the key of the whole body", msg.Truncated, msg.BodyKey, len(msg.Text))
	}
	next, err := s.r.Store.NextTicketNumber(ctx)
	if want := mustAtoi(t, conv.Ticket.ID) + 1; err != nil || mustAtoi(t, next) != want {
		t.Fatalf("next ticket number %s (%v), want %d: no number skipped", next, err, want)
	}
	dlq := s.r.Stack.QueueURLs["IngestDLQ"]
	if out, err := s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlq, MaxNumberOfMessages: 10}); err != nil || len(out.Messages) != 0 {
		t.Fatalf("ingest DLQ: %v, %v; want it empty", out, err)
	}

	token, code := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	if code != 200 {
		t.Fatalf("sign in: %d", code)
	}
	code, page := s.get(t, "/api/tickets/"+conv.Ticket.ID, token)
	if code != 200 {
		t.Fatalf("GET ticket: %d %v", code, page)
	}
	var view struct {
		Timeline struct {
			Entries []struct {
				Message *struct {
					Direction, Text string
					Truncated       bool
					BodyURL         string `json:"body_url"`
				}
			}
		}
	}
	raw, _ := json.Marshal(page)
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	url := ""
	for _, e := range view.Timeline.Entries {
		if e.Message != nil && e.Message.Direction == "in" && e.Message.Truncated {
			url = e.Message.BodyURL
		}
	}
	if url == "" {
		t.Fatalf("the ticket page links no whole body: %s", raw[:min(len(raw), 2000)])
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var whole helpdesk.Body
	if err := json.NewDecoder(resp.Body).Decode(&whole); err != nil || resp.StatusCode != 200 || whole.Text != text {
		t.Fatalf("GET body_url: %d, %d bytes of text (%v), want the whole %d", resp.StatusCode, len(whole.Text), err, len(text))
	}
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
