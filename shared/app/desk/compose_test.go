package desk_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A form ticket is answered from the settings' default email channel, or
// else the first enabled email channel by id; none is a 409.
func TestFormTicketsAreAnsweredFromTheDefaultEmailChannel(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newFixture(t, b)
		id := f.newTicket(t, "Call me")
		answer := func(set helpdesk.Settings) (helpdesk.Message, error) {
			svc := &desk.Service{Store: f.st, Settings: settings.Fixed(set), Now: f.clk.now}
			msg, _, _, err := svc.Answer(f.ctx, desk.Answer{TicketID: id, AgentID: "ann", Text: "Calling now"})
			return msg, err
		}
		if _, err := answer(helpdesk.DefaultSettings()); helpdesk.ErrorReason(err) != "no_email_channel" || !helpdesk.IsCode(err, helpdesk.EConflict) {
			t.Fatalf("no email channel: %v", err)
		}
		for _, ch := range []helpdesk.Channel{
			{ID: "email:z@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "z@acme.example"}},
			{ID: "email:b@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "b@acme.example"}},
			{ID: "email:a@acme.example", Kind: helpdesk.ChannelEmail, Disabled: true, Email: &helpdesk.EmailSettings{Address: "a@acme.example"}},
		} {
			if err := f.st.PutChannel(f.ctx, ch); err != nil {
				t.Fatal(err)
			}
		}
		var msg helpdesk.Message
		var err error
		for range 50 { // the channel list is an eventually consistent index on DynamoDB
			if msg, err = answer(helpdesk.DefaultSettings()); err == nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err != nil || msg.ChannelID != "email:b@acme.example" || msg.EmailMessageID == "" {
			t.Fatalf("unset default: %+v %v, want the first enabled email channel by id", msg, err)
		}
		set := helpdesk.DefaultSettings()
		set.DefaultEmailChannel = "email:z@acme.example"
		if msg, err = answer(set); err != nil || msg.ChannelID != "email:z@acme.example" {
			t.Fatalf("the settings' default: %+v %v", msg, err)
		}
		for _, bad := range []string{"email:gone@acme.example", "email:a@acme.example", "web"} {
			set.DefaultEmailChannel = bad
			if _, err := answer(set); helpdesk.ErrorReason(err) != "no_email_channel" {
				t.Errorf("default %s: %v, want no_email_channel", bad, err)
			}
		}
	})
}
