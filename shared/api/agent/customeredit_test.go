package agent_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A customer's edit is its own kind of notification (customer_edit): in
// the feed (as the OpenAPI document describes it) and, like every kind an
// agent is told of, muted or emailed as they choose.
func TestCustomerEditNotifications(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		if r := f.do(t, "GET", "/api/me/notifications", "bob", ""); r.status != 200 || !strings.Contains(r.raw, `"customer_edit":{"in_app":true,"email":false}`) {
			t.Fatalf("bob's defaults: %d %s", r.status, r.raw)
		}
		r := f.do(t, "PUT", "/api/me/notifications", "bob", `{"customer_edit":{"in_app":false,"email":true}}`)
		if r.status != 200 || !strings.Contains(r.raw, `"customer_edit":{"in_app":false,"email":true}`) || !strings.Contains(r.raw, `"customer_message":{"in_app":true,"email":false}`) {
			t.Fatalf("PUT: %d %s", r.status, r.raw)
		}
		a, err := f.st.GetAgent(context.Background(), "bob")
		if err != nil || a.Notify.InApp(helpdesk.NotifyCustomerEdit) || !a.Notify.Email(helpdesk.NotifyCustomerEdit) || !a.Notify.InApp(helpdesk.NotifyCustomerMessage) {
			t.Fatalf("stored prefs: %+v, %v", a.Notify, err)
		}
		n := helpdesk.Notification{ID: "n-edit", Recipient: helpdesk.AgentRecipient("bob"), Kind: helpdesk.NotifyCustomerEdit,
			TicketID: "3", Subject: "s", At: t0, ActorID: "contact:c3", MessageID: "m3"}
		if err := f.st.Commit(context.Background(), ticket.Change{Notifications: []helpdesk.Notification{n}}); err != nil {
			t.Fatal(err)
		}
		if got := f.feed(t, "bob", false); !slices.Contains(got, "customer_edit 3") {
			t.Fatalf("bob's feed = %v", got)
		}
	})
}
