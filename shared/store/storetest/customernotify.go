package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// CustomerNotifyStore is what customer notifications add to the store
// (issue 14): contacts' opt-outs.
type CustomerNotifyStore interface {
	OptOut(ctx context.Context, contactID string, kind helpdesk.CustomerNotifyKind) error
	OptOuts(ctx context.Context, contactID string) ([]helpdesk.CustomerNotifyKind, error)
}

func testCustomerOptOutsAndSwitches(t *testing.T, f *fixture) {
	s := f.st
	if got, err := s.OptOuts(f.ctx, "c1"); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("opt-outs before any = %v, %v; want empty", got, err)
	}
	for _, k := range []helpdesk.CustomerNotifyKind{helpdesk.CustomerWaiting, helpdesk.CustomerClosed, helpdesk.CustomerWaiting} {
		if err := s.OptOut(f.ctx, "c1", k); err != nil { // a second click changes nothing
			t.Fatal(err)
		}
	}
	want := []helpdesk.CustomerNotifyKind{helpdesk.CustomerClosed, helpdesk.CustomerWaiting}
	if got, err := s.OptOuts(f.ctx, "c1"); err != nil || !slices.Equal(got, want) {
		t.Fatalf("opt-outs = %v, %v; want %v", got, err, want)
	}
	if got, _ := s.OptOuts(f.ctx, "c2"); len(got) != 0 {
		t.Fatalf("another contact's opt-outs = %v", got)
	}

	// The tenant's switches and the "waiting on you" marker round-trip.
	set := helpdesk.DefaultSettings()
	set.CustomerNotify.Off = []helpdesk.CustomerNotifyKind{helpdesk.CustomerReopened}
	if err := f.st.CreateSettingsIfMissing(f.ctx, set); err != nil {
		t.Fatal(err)
	}
	got, err := f.st.GetSettings(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := got.Pipelines["support"].Stage("waiting_on_contact")
	if !slices.Equal(got.CustomerNotify.Off, set.CustomerNotify.Off) || !st.WaitingOnCustomer {
		t.Fatalf("settings read back %+v, stage %+v", got.CustomerNotify, st)
	}
}
