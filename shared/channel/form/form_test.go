package form

import (
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var (
	t0      = time.Date(2026, 11, 21, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	channel = helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm,
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new", Priority: helpdesk.PriorityMedium}}
	// Signed: the form owner's hidden fields are taken (Hidden); the
	// unsigned cases are TestUnsignedHiddenFieldsNeedTheChannelsAllowList.
	input = Input{Channel: channel, Pipelines: helpdesk.DefaultPipelines(), SubmissionID: "gen-1", ReceivedAt: t0, Signed: true}
)

func TestDecodeAndBuildMapsFields(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		check                   func(t *testing.T, m *helpdesk.InboundMessage)
	}{
		{"json", "application/json; charset=utf-8",
			`{"email":"ann@example.com","name":"  Ann   Lee ","subject":"Refund","description":"Line 1\r\nLine 2  ","status":"waiting_on_us","plan":"pro","seats":12,"newsletter":true,"ignored":null}`,
			func(t *testing.T, m *helpdesk.InboundMessage) {
				if m.Sender.Email != "ann@example.com" || m.Sender.Name != "Ann Lee" || m.Subject != "Refund" || m.Text != "Line 1\nLine 2" {
					t.Errorf("message = %+v", m)
				}
				if m.Ticket.Pipeline != "support" || m.Ticket.Status != "waiting_on_us" || m.Ticket.Priority != helpdesk.PriorityMedium {
					t.Errorf("ticket props = %+v", m.Ticket)
				}
				want := map[string]string{"plan": "pro", "seats": "12", "newsletter": "true"}
				if len(m.Submission) != len(want) {
					t.Errorf("hidden fields = %v, want %v", m.Submission, want)
				}
				for k, v := range want {
					if m.Submission[k] != v {
						t.Errorf("hidden %s = %q, want %q", k, m.Submission[k], v)
					}
				}
			}},
		{"urlencoded with multi-select", "application/x-www-form-urlencoded",
			"email=bob%40example.com&description=Help%21&topic=billing&topic=login",
			func(t *testing.T, m *helpdesk.InboundMessage) {
				if m.Subject != "Help!" || m.Ticket.Status != "new" || m.Submission["topic"] != "billing, login" {
					t.Errorf("message = %+v", m)
				}
			}},
		{"submission id from the form wins", "application/json",
			`{"email":"a@example.com","subject":"x","submission_id":"form-77"}`,
			func(t *testing.T, m *helpdesk.InboundMessage) {
				if m.ProviderMessageID != "form-77" || m.Submission != nil {
					t.Errorf("id = %q, hidden = %v", m.ProviderMessageID, m.Submission)
				}
			}},
		{"subject from a long first line", "application/json",
			`{"email":"a@example.com","description":"` + strings.Repeat("word ", 40) + `\nsecond line"}`,
			func(t *testing.T, m *helpdesk.InboundMessage) {
				if n := len([]rune(m.Subject)); n > 80 || !strings.HasSuffix(m.Subject, "…") {
					t.Errorf("subject %q (%d runes)", m.Subject, n)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := Decode(tc.contentType, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			m, err := Build(sub, input)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Validate(); err != nil {
				t.Fatalf("built message is invalid: %v", err)
			}
			if m.Channel != helpdesk.ChannelForm || m.ChannelID != "web" || !m.ReceivedAt.Equal(t0) || m.ReceivedAt.Location() != time.UTC {
				t.Errorf("envelope fields = %+v", m)
			}
			tc.check(t, m)
		})
	}
}

func TestBadInputIsRejectedWithAReason(t *testing.T) {
	long := func(n int) string { return strings.Repeat("x", n) }
	many := "{" + strings.Repeat(`"f":"v",`, 0)
	for i := 0; i < 51; i++ {
		many += `"f` + strings.Repeat("x", i) + `":"v",`
	}
	many += `"email":"a@example.com"}`
	cases := []struct {
		name, contentType, body, code, reason string
	}{
		{"no content type", "", `{}`, helpdesk.EUnsupported, "unsupported_media_type"},
		{"multipart", "multipart/form-data; boundary=x", `--x--`, helpdesk.EUnsupported, "unsupported_media_type"},
		{"broken json", "application/json", `{"email":`, helpdesk.EInvalid, "bad_json"},
		{"json array", "application/json", `[1,2]`, helpdesk.EInvalid, "bad_json"},
		{"trailing data", "application/json", `{"email":"a@example.com"} {}`, helpdesk.EInvalid, "bad_json"},
		{"object field", "application/json", `{"email":"a@example.com","x":{"y":1}}`, helpdesk.EInvalid, "field_type"},
		{"array field", "application/json", `{"email":"a@example.com","x":[1]}`, helpdesk.EInvalid, "field_type"},
		{"numeric subject", "application/json", `{"email":"a@example.com","subject":42}`, helpdesk.EInvalid, "field_type"},
		{"too many fields", "application/json", many, helpdesk.EInvalid, "too_many_fields"},
		{"bad urlencoding", "application/x-www-form-urlencoded", "email=%zz", helpdesk.EInvalid, "bad_form"},
		{"duplicate email", "application/x-www-form-urlencoded", "email=a%40x.io&email=b%40x.io&subject=s", helpdesk.EInvalid, "duplicate_field"},
		{"missing email", "application/json", `{"subject":"hi"}`, helpdesk.EInvalid, "email_required"},
		{"blank email", "application/json", `{"email":"  ","subject":"hi"}`, helpdesk.EInvalid, "email_required"},
		{"bad email", "application/json", `{"email":"not-an-address","subject":"hi"}`, helpdesk.EInvalid, "email_invalid"},
		{"display-name email", "application/json", `{"email":"Ann <ann@example.com>","subject":"hi"}`, helpdesk.EInvalid, "email_invalid"},
		{"no subject or description", "application/json", `{"email":"a@example.com"}`, helpdesk.EInvalid, "content_required"},
		{"subject too long", "application/json", `{"email":"a@example.com","subject":"` + long(256) + `"}`, helpdesk.EInvalid, "field_too_long"},
		{"description too long", "application/json", `{"email":"a@example.com","description":"` + long(32<<10+1) + `"}`, helpdesk.EInvalid, "field_too_long"},
		{"hidden value too long", "application/json", `{"email":"a@example.com","subject":"s","x":"` + long(4<<10+1) + `"}`, helpdesk.EInvalid, "field_too_long"},
		{"field name too long", "application/json", `{"email":"a@example.com","subject":"s","` + long(65) + `":"v"}`, helpdesk.EInvalid, "field_name"},
		{"unknown pipeline", "application/json", `{"email":"a@example.com","subject":"s","pipeline":"sales"}`, helpdesk.EInvalid, "unknown_pipeline"},
		{"unknown status", "application/json", `{"email":"a@example.com","subject":"s","status":"archived"}`, helpdesk.EInvalid, "unknown_status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sub, err := Decode(tc.contentType, []byte(tc.body))
			if err == nil {
				_, err = Build(sub, input)
			}
			if helpdesk.ErrorCode(err) != tc.code || helpdesk.ErrorReason(err) != tc.reason {
				t.Fatalf("err = %v; want code %s reason %s", err, tc.code, tc.reason)
			}
			if helpdesk.ErrorMessage(err) == "" {
				t.Fatal("empty error message")
			}
		})
	}
}

func FuzzDecodeBuild(f *testing.F) {
	f.Add("application/json", `{"email":"a@example.com","subject":"s","x":1}`)
	f.Add("application/x-www-form-urlencoded", "email=a%40x.io&description=hi&t=1&t=2")
	f.Fuzz(func(t *testing.T, ct, body string) {
		sub, err := Decode(ct, []byte(body))
		if err != nil {
			if helpdesk.ErrorCode(err) == helpdesk.EInternal {
				t.Fatalf("decode error without a code: %v", err)
			}
			return
		}
		m, err := Build(sub, input)
		if err != nil {
			if helpdesk.ErrorCode(err) == helpdesk.EInternal {
				t.Fatalf("build error without a code: %v", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("Build returned an invalid message: %v", err)
		}
	})
}

// A public form's hidden fields are written by whoever loads the page: an
// unsigned submission sets a ticket property only to a value the channel's
// allow-list names (none by default); the rest stay on the submission for
// the agent to see, and never change the ticket.
func TestUnsignedHiddenFieldsNeedTheChannelsAllowList(t *testing.T) {
	body := `{"email":"eve@example.com","subject":"hi","pipeline":"support","status":"closed","priority":"urgent","category":"vip"}`
	sub, err := Decode("application/json", []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	unsigned := input
	unsigned.Signed = false
	unsigned.Channel.Form = &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}
	m, err := Build(sub, unsigned)
	if err != nil {
		t.Fatal(err)
	}
	if m.Ticket != channel.Defaults {
		t.Errorf("unsigned, no allow-list: ticket props %+v, want the channel's %+v", m.Ticket, channel.Defaults)
	}
	for k, v := range map[string]string{"pipeline": "support", "status": "closed", "priority": "urgent", "category": "vip"} {
		if m.Submission[k] != v {
			t.Errorf("refused hidden %s = %q on the submission, want %q kept", k, m.Submission[k], v)
		}
	}

	unsigned.Channel.Form.AllowedHidden = &helpdesk.FormHidden{Statuses: []string{"waiting_on_us"}, Priorities: []helpdesk.Priority{helpdesk.PriorityUrgent}}
	m, err = Build(sub, unsigned)
	if err != nil {
		t.Fatal(err)
	}
	if want := (helpdesk.TicketDefaults{Pipeline: "support", Status: "new", Priority: helpdesk.PriorityUrgent}); m.Ticket != want {
		t.Errorf("allow-list of priorities: ticket props %+v, want %+v", m.Ticket, want)
	}
	if _, ok := m.Submission["priority"]; ok || m.Submission["status"] != "closed" {
		t.Errorf("submission %v: the taken priority should leave it, the refused status stay", m.Submission)
	}

	take, refused := Hidden(sub, unsigned.Channel.Form, true)
	if take.Status != "closed" || take.Category != "vip" || len(refused) != 0 {
		t.Errorf("signed: take %+v, refused %v; want every field taken", take, refused)
	}
}
