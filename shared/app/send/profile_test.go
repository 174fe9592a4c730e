package send_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// profileJobs takes the contact.profile jobs published so far.
func (d *chatDesk) profileJobs(t *testing.T) []string {
	t.Helper()
	var out, rest []string
	for _, b := range d.outbox {
		var env jobs.Envelope
		if err := json.Unmarshal([]byte(b), &env); err != nil {
			t.Fatal(err)
		}
		if env.Kind == jobs.KindContactProfile {
			out = append(out, b)
		} else {
			rest = append(rest, b)
		}
	}
	d.outbox = rest
	return out
}

func (d *chatDesk) contactOf(t *testing.T, ticketID string) helpdesk.Contact {
	t.Helper()
	tk, err := d.st.GetTicketHeader(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.st.GetContact(context.Background(), tk.ContactID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (d *chatDesk) profileRequests() []graphfake.Request {
	var out []graphfake.Request
	for _, r := range d.graph.Requests() {
		if r.Kind == graphfake.KindProfile {
			out = append(out, r)
		}
	}
	return out
}

// A new Messenger contact is named from Meta's User Profile API with the
// page's token. Meta down does not hold up the ticket (it is created with
// the PSID) and the fetch is retried by the queue; a named contact is not
// asked again.
func TestMessengerContactIsNamedFromTheProfile(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		d := newChatDesk(t, b, helpdesk.MessengerSettings{})
		d.sender.Profiles, d.sender.Contacts = graphapi.New(d.graph.URL, "v21.0", nil), d.st
		d.graph.AddProfile(pageID, psid, "Peter", "Chang")
		d.graph.FailProfiles(1, graphfake.Unavailable())

		ticketID := d.customerWrites(t, helpdesk.ChannelMessenger, "m_1")
		if c := d.contactOf(t, ticketID); c.Name != "" || c.PSID != psid {
			t.Fatalf("contact before the profile: %+v", c)
		}
		profile := d.profileJobs(t)
		if len(profile) != 1 {
			t.Fatalf("%d profile jobs, want 1", len(profile))
		}
		if resp := d.deliver(t, "1", profile...); len(resp.BatchItemFailures) != 1 {
			t.Fatalf("Meta down: %+v, want the job handed back to the queue", resp)
		}
		if c := d.contactOf(t, ticketID); c.Name != "" || !c.ProfileFailedAt.IsZero() {
			t.Fatalf("after an outage: %+v", c)
		}
		if resp := d.deliver(t, "2", profile...); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("redelivery: %+v", resp)
		}
		if c := d.contactOf(t, ticketID); c.Name != "Peter Chang" {
			t.Fatalf("contact after the profile: %+v", c)
		}
		reqs := d.profileRequests()
		if len(reqs) != 2 || reqs[1].Path != "/v21.0/"+psid || reqs[1].Query.Get("fields") != graphapi.ProfileFields ||
			reqs[1].Token != pageToken || reqs[1].Status != 200 || reqs[0].Status != 503 {
			t.Fatalf("profile requests: %+v", reqs)
		}

		// Named: the next message asks nothing, a stray job fetches nothing.
		d.customerWrites(t, helpdesk.ChannelMessenger, "m_2")
		if jobs := d.profileJobs(t); len(jobs) != 0 {
			t.Fatalf("%d profile jobs for a named contact", len(jobs))
		}
		d.deliver(t, "1", profile...)
		if n := len(d.profileRequests()); n != 2 {
			t.Fatalf("%d profile requests, want no new one for a named contact", n)
		}
	})
}

// A profile Meta will not give (unknown to it, no permission) is recorded
// on the contact without failing the job; the contact's messages ask again
// only a day later. So does an outage that outlasts the queue's retries.
func TestMessengerProfileFailuresAreRetriedDaily(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		d := newChatDesk(t, b, helpdesk.MessengerSettings{})
		d.sender.Profiles, d.sender.Contacts = graphapi.New(d.graph.URL, "v21.0", nil), d.st

		ticketID := d.customerWrites(t, helpdesk.ChannelMessenger, "m_1") // no profile at Meta
		if resp := d.deliver(t, "1", d.profileJobs(t)...); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("a refusal: %+v, want no retry", resp)
		}
		if c := d.contactOf(t, ticketID); c.Name != "" || !c.ProfileFailedAt.Equal(t0) {
			t.Fatalf("after a refusal: %+v", c)
		}
		*d.clk = t0.Add(time.Hour)
		d.customerWrites(t, helpdesk.ChannelMessenger, "m_2")
		if n := len(d.profileJobs(t)); n != 0 {
			t.Fatalf("%d profile jobs an hour after a failure, want 0", n)
		}
		*d.clk = t0.Add(25 * time.Hour)
		d.graph.AddProfile(pageID, psid, "Peter", "Chang")
		d.graph.FailProfiles(1, graphfake.Unavailable())
		d.customerWrites(t, helpdesk.ChannelMessenger, "m_3")
		again := d.profileJobs(t)
		if len(again) != 1 {
			t.Fatalf("%d profile jobs a day after, want 1", len(again))
		}
		// The queue's last delivery: recorded, not sent to the DLQ.
		if resp := d.deliver(t, "5", again...); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("the last delivery: %+v", resp)
		}
		if c := d.contactOf(t, ticketID); c.Name != "" || !c.ProfileFailedAt.Equal(t0.Add(25*time.Hour)) {
			t.Fatalf("after the last delivery: %+v", c)
		}
		d.deliver(t, "1", again...)
		if c := d.contactOf(t, ticketID); c.Name != "Peter Chang" || !c.ProfileFailedAt.IsZero() {
			t.Fatalf("a later fetch: %+v", c)
		}
		for _, r := range d.profileRequests() {
			if strings.Contains(r.Path, "access_token") || r.Query.Has("access_token") {
				t.Fatalf("token in the URL: %+v", r)
			}
		}
	})
}
