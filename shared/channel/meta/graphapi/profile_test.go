package graphapi_test

import (
	"context"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The User Profile API through the strict fake: the fields we use, the
// page's token in the header; Meta down is retryable, an unknown PSID is
// not; an id that could change the path costs no request.
func TestMessengerProfile(t *testing.T) {
	f := graphfake.Start(t)
	f.AddPage("1001", "page-token")
	f.AddProfile("1001", "3163874143641178", "Peter", "Chang")
	c := graphapi.New(f.URL, "v21.0", nil)
	ctx := context.Background()
	p, err := c.MessengerProfile(ctx, "page-token", "3163874143641178")
	if err != nil || p.DisplayName() != "Peter Chang" || p.FirstName != "Peter" || p.ProfilePic == "" {
		t.Fatalf("profile %+v, %v", p, err)
	}
	if n := (graphapi.Profile{FirstName: " Ann ", LastName: ""}).DisplayName(); n != "Ann" {
		t.Fatalf("display name from first name only: %q", n)
	}
	f.FailProfiles(1, graphfake.Unavailable())
	if _, err := c.MessengerProfile(ctx, "page-token", "3163874143641178"); !graphapi.Retryable(err) {
		t.Fatalf("Meta down: %v, want retryable", err)
	}
	if _, err := c.MessengerProfile(ctx, "page-token", "999"); err == nil || graphapi.Retryable(err) {
		t.Fatalf("an unknown PSID: %v, want a refusal", err)
	}
	before := len(f.Requests())
	if _, err := c.MessengerProfile(ctx, "page-token", "../1001/messages"); !helpdesk.IsCode(err, helpdesk.EInvalid) {
		t.Fatalf("a PSID with a path: %v", err)
	}
	if len(f.Requests()) != before {
		t.Fatal("an invalid PSID was sent")
	}
}
