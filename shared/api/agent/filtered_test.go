package agent_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// fakePromoter stands in for receive.Handler.Promote: it queues nothing,
// records what it was asked, and refuses mail to no channel, and (given
// the channels) a channel that is not an enabled email one, as it does.
type fakePromoter struct {
	mu       sync.Mutex
	promoted []helpdesk.FilteredMail
	channels interface {
		GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
	}
}

func (p *fakePromoter) Promote(ctx context.Context, f helpdesk.FilteredMail) (*helpdesk.InboundMessage, error) {
	if f.ChannelID == "" {
		return nil, helpdesk.Errorf(helpdesk.EConflict, "filtered_no_channel", "sent to no channel")
	}
	if p.channels != nil {
		if ch, err := p.channels.GetChannel(ctx, f.ChannelID); err != nil || ch.Kind != helpdesk.ChannelEmail || ch.Disabled {
			return nil, helpdesk.Errorf(helpdesk.EConflict, "channel_unavailable", "not an enabled email channel")
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.promoted = append(p.promoted, f)
	return &helpdesk.InboundMessage{ProviderMessageID: f.MessageID}, nil
}

// filteredAt records a filtered mail of kind, received i minutes after t0.
func filteredAt(t *testing.T, f *fixture, i int, kind, channel string) helpdesk.FilteredMail {
	t.Helper()
	at := t0.Add(time.Duration(i) * time.Minute)
	id := fmt.Sprintf("ses%02d", i)
	m := helpdesk.FilteredMail{SESMessageID: id, ReceivedAt: at, Kind: kind, Reason: "auto-submitted: auto-replied",
		Sender: helpdesk.Sender{Email: "ooo@example.com", Name: "Away"}, Subject: fmt.Sprintf("Away %d", i), MessageID: id + "@example.com",
		ChannelID: channel, Recipients: []string{"support@acme.example"}, RawKey: "inbound/" + id, RawLocation: "s3://mail/inbound/" + id,
		ExpiresAt: at.Add(helpdesk.FilteredRetention)}
	if err := f.st.RecordFiltered(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func filteredIDs(r response) (ids, sesIDs []string) {
	items, _ := r.body["filtered"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		ids = append(ids, m["id"].(string))
		sesIDs = append(sesIDs, m["ses_message_id"].(string))
	}
	return ids, sesIDs
}

// The list pages newest first with a sealed cursor, filters by kind, and
// answers only those who see every ticket.
func TestFilteredMailList(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		kinds := []string{helpdesk.FilteredAutoReply, helpdesk.FilteredBulk, helpdesk.FilteredAutoReply, helpdesk.FilteredNoChannel,
			helpdesk.FilteredAutoReply}
		for i, k := range kinds {
			filteredAt(t, f, i, k, mail.ID)
		}
		r := f.do(t, "GET", "/api/filtered", "ann", "")
		_, ses := filteredIDs(r)
		if r.status != 200 || strings.Join(ses, ",") != "ses04,ses03,ses02,ses01,ses00" {
			t.Fatalf("GET /api/filtered: %d %v", r.status, r.raw)
		}
		first := r.body["filtered"].([]any)[0].(map[string]any)
		if first["kind"] != "auto_reply" || first["reason"] != "auto-submitted: auto-replied" || first["subject"] != "Away 4" ||
			first["sender"].(map[string]any)["email"] != "ooo@example.com" || first["raw_location"] != "s3://mail/inbound/ses04" ||
			!strings.HasPrefix(first["raw_url"].(string), "https://files.test/inbound/ses04?name=ses04.eml") || first["promoted_at"] != nil {
			t.Fatalf("first item: %v", first)
		}

		walk := func(query string) []string {
			var all []string
			path := "/api/filtered?limit=2" + query
			for range 10 {
				r := f.do(t, "GET", path, "ann", "")
				if r.status != 200 {
					t.Fatalf("GET %s: %d %s", path, r.status, r.raw)
				}
				_, ses := filteredIDs(r)
				all = append(all, ses...)
				next, _ := r.body["next"].(string)
				if next == "" {
					return all
				}
				path = "/api/filtered?limit=2" + query + "&cursor=" + next
			}
			t.Fatal("more than 10 pages")
			return nil
		}
		if got := strings.Join(walk(""), ","); got != "ses04,ses03,ses02,ses01,ses00" {
			t.Fatalf("two at a time: %s", got)
		}
		if got := strings.Join(walk("&kind=auto_reply"), ","); got != "ses04,ses02,ses00" {
			t.Fatalf("auto-replies two at a time: %s", got)
		}
		if got := walk("&kind=loop"); len(got) != 0 {
			t.Fatalf("loops: %v", got)
		}

		// A cursor of another kind's list, a made-up one, an unknown kind.
		r = f.do(t, "GET", "/api/filtered?limit=2&kind=auto_reply", "ann", "")
		for _, path := range []string{"/api/filtered?cursor=" + r.body["next"].(string), "/api/filtered?cursor=made-up",
			"/api/filtered?kind=spam", "/api/filtered?limit=0"} {
			if r := f.do(t, "GET", path, "ann", ""); r.status != 400 {
				t.Errorf("GET %s: %d, want 400", path, r.status)
			}
		}
		for _, who := range []string{"bob", "cat", "vic"} {
			if r := f.do(t, "GET", "/api/filtered", who, ""); r.status != 403 || reason(r) != "cannot_see_filtered" {
				t.Errorf("%s lists filtered mail: %d %s", who, r.status, r.raw)
			}
		}
	})
}

// Promoting queues the mail once and marks the record (who, when), with
// an audit entry; a second promotion is a conflict with its reason, and
// so is mail that cannot become a ticket.
func TestPromoteFilteredMail(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		p := &fakePromoter{}
		f.api.Promoter = p
		m := filteredAt(t, f, 1, helpdesk.FilteredAutoReply, mail.ID)
		lost := filteredAt(t, f, 2, helpdesk.FilteredNoChannel, "")
		ids, _ := filteredIDs(f.do(t, "GET", "/api/filtered", "ann", ""))
		id, lostID := ids[1], ids[0]

		for _, who := range []string{"bob", "cat", "vic"} {
			if r := f.do(t, "POST", "/api/filtered/"+id+"/promote", who, ""); r.status != 403 {
				t.Errorf("%s promotes: %d %s", who, r.status, r.raw)
			}
		}
		r := f.do(t, "POST", "/api/filtered/"+id+"/promote", "ann", "")
		if r.status != 202 || r.body["promoted_by"] != "ann" || r.body["promoted_at"] != "2026-11-30T10:00:00Z" ||
			r.body["promoted_message_id"] != m.MessageID || r.body["id"] != id {
			t.Fatalf("promote: %d %s", r.status, r.raw)
		}
		if len(p.promoted) != 1 || p.promoted[0].SESMessageID != m.SESMessageID || p.promoted[0].RawKey != m.RawKey {
			t.Fatalf("queued %+v", p.promoted)
		}
		again := f.do(t, "POST", "/api/filtered/"+id+"/promote", "ann", "")
		if again.status != 409 || reason(again) != "already_promoted" || !strings.Contains(again.raw, "by ann") {
			t.Fatalf("promote twice: %d %s", again.status, again.raw)
		}
		if len(p.promoted) != 1 {
			t.Fatalf("promoting twice queued %d", len(p.promoted))
		}
		listed := f.do(t, "GET", "/api/filtered?kind=auto_reply", "ann", "")
		if it := listed.body["filtered"].([]any)[0].(map[string]any); it["promoted_by"] != "ann" {
			t.Fatalf("listed after the promotion: %v", it)
		}
		audit := f.do(t, "GET", "/api/audit", "ann", "")
		e := audit.body["entries"].([]any)[0].(map[string]any)
		if e["kind"] != "filtered_mail" || e["action"] != "promote" || e["actor_id"] != "ann" || e["entity_id"] != id ||
			e["after"].(map[string]any)["promoted_by"] != "ann" {
			t.Fatalf("audit entry %v", e)
		}

		// Mail to no channel needs one named: 400 with why, not promoted.
		if r := f.do(t, "POST", "/api/filtered/"+lostID+"/promote", "ann", ""); r.status != 400 || reason(r) != "channel_required" ||
			!strings.Contains(r.raw, "channel_id") {
			t.Fatalf("promote mail to no channel: %d %s", r.status, r.raw)
		}
		if got, _ := f.st.GetFiltered(context.Background(), lost.ReceivedAt, lost.SESMessageID); got.PromotedAt != nil {
			t.Fatal("a refused promotion marked the record")
		}
		for _, bad := range []string{"1.nothing", "not-an-id", "1764493200000000000.ses01x", "-1.ses01"} {
			if r := f.do(t, "POST", "/api/filtered/"+bad+"/promote", "ann", ""); r.status != 404 || reason(r) != "filtered_not_found" {
				t.Errorf("promote %s: %d %s", bad, r.status, r.raw)
			}
		}
	})
}

func TestWhoSeesFilteredMail(t *testing.T) {
	for _, c := range []struct {
		agent        helpdesk.Agent
		see, promote bool
	}{
		{helpdesk.Agent{Active: true, Role: helpdesk.RoleAdmin}, true, true},
		{helpdesk.Agent{Active: true, Role: helpdesk.RoleAgent, Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeAll}}, true, true},
		{helpdesk.Agent{Active: true, Role: helpdesk.RoleViewer, Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeAll}}, true, false},
		{helpdesk.Agent{Active: true, Role: helpdesk.RoleAgent, Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeTeams}}, false, false},
		{helpdesk.Agent{Active: true, Role: helpdesk.RoleAgent}, false, false},
		{helpdesk.Agent{Role: helpdesk.RoleAdmin}, false, false},
	} {
		p := helpdesk.Principal{Agent: c.agent}
		if p.CanSeeFiltered() != c.see || p.CanPromoteFiltered() != c.promote {
			t.Errorf("%s %q active %v: sees %v promotes %v, want %v %v", c.agent.Role, c.agent.Permissions.Scope, c.agent.Active,
				p.CanSeeFiltered(), p.CanPromoteFiltered(), c.see, c.promote)
		}
	}
}

// filteredID records a filtered mail the access matrix promotes, and
// returns its id.
func (f *fixture) filteredID(t *testing.T) string {
	t.Helper()
	f.api.Promoter = &fakePromoter{}
	filteredAt(t, f, 0, helpdesk.FilteredAutoReply, mail.ID)
	ids, _ := filteredIDs(f.do(t, "GET", "/api/filtered", "ann", ""))
	if len(ids) != 1 {
		t.Fatalf("filtered ids %v", ids)
	}
	return ids[0]
}
