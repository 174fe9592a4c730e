package ticket

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func TestLatestConversation(t *testing.T) {
	t0 := time.Date(2026, time.March, 1, 10, 0, 0, 0, time.UTC)
	tk := func(id string, kind helpdesk.ChannelKind, state helpdesk.State, last time.Time) helpdesk.Ticket {
		return helpdesk.Ticket{ID: id, ChannelKind: kind, State: state, LastCustomerMessageAt: last}
	}
	whatsApp := func(t helpdesk.Ticket) bool { return t.ChannelKind == helpdesk.ChannelWhatsApp }
	ts := []helpdesk.Ticket{ // newest first, as ContactTickets lists them
		tk("spam", helpdesk.ChannelWhatsApp, helpdesk.StateSpam, t0.Add(5*time.Hour)),
		tk("merged", helpdesk.ChannelWhatsApp, helpdesk.StateMerged, t0.Add(4*time.Hour)),
		tk("mail", helpdesk.ChannelEmail, helpdesk.StateOpen, t0.Add(3*time.Hour)),
		tk("never-wrote", helpdesk.ChannelWhatsApp, helpdesk.StateOpen, time.Time{}),
		tk("tie-newer", helpdesk.ChannelWhatsApp, helpdesk.StateOpen, t0.Add(time.Hour)),
		tk("tie-older", helpdesk.ChannelWhatsApp, helpdesk.StateOpen, t0.Add(time.Hour)),
		tk("older", helpdesk.ChannelWhatsApp, helpdesk.StateClosed, t0),
	}
	if got, ok := LatestConversation(ts, whatsApp); !ok || got.ID != "tie-newer" {
		t.Errorf("latest WhatsApp = %q, %v; want tie-newer (spam and merged skipped, a tie to the earlier listed)", got.ID, ok)
	}
	if got, ok := LatestConversation(ts[:4], whatsApp); !ok || got.ID != "never-wrote" {
		t.Errorf("only one never written in = %q, %v; want it (keep decides whether a zero time counts)", got.ID, ok)
	}
	if got, ok := LatestConversation(ts[:3], whatsApp); ok {
		t.Errorf("only spam, merged and mail = %q; want none", got.ID)
	}
	if _, ok := LatestConversation(nil, whatsApp); ok {
		t.Error("no tickets: found one")
	}
}
