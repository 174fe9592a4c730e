package purge_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/app/purge"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

var mail = helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Name: "Support",
	Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}

// memFiles is a bucket in memory.
type memFiles struct {
	mu   sync.Mutex
	objs map[string]bool
	fail bool // the next Delete fails (a crash halfway)
}

func (f *memFiles) put(k string) { f.mu.Lock(); f.objs[k] = true; f.mu.Unlock() }
func (f *memFiles) Delete(_ context.Context, keys []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		f.fail = false
		return errors.New("s3 down")
	}
	for _, k := range keys {
		delete(f.objs, k)
	}
	return nil
}
func (f *memFiles) keys() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ks []string
	for k := range f.objs {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// bucket is where a scenario's files live: memory, or moto's S3.
type bucket interface {
	purge.Files
	put(t testing.TB, key string)
	keys(t testing.TB) []string
}

type memBucket struct{ *memFiles }

func (b memBucket) put(_ testing.TB, k string)                   { b.memFiles.put(k) }
func (b memBucket) keys(_ testing.TB) []string                   { return b.memFiles.keys() }
func newMemBucket() memBucket                                    { return memBucket{&memFiles{objs: map[string]bool{}}} }
func (b memBucket) Delete(ctx context.Context, k []string) error { return b.memFiles.Delete(ctx, k) }

// scenario is one store and bucket with two tickets: the one purged and a
// neighbour that must keep everything.
type scenario struct {
	t     testing.TB
	ctx   context.Context
	st    testbed.Store
	files bucket
	now   time.Time
}

// openMailTicket writes ticket id from sender with n customer mails (the
// first opens it), each with an attachment and a body in the bucket and
// its Message-ID as a thread key, routed to owner (when not ""), then
// indexed as the search indexer would.
func (s *scenario) openMailTicket(id, sender, owner string, n int) helpdesk.Ticket {
	s.t.Helper()
	var c ticket.Change
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Minute)
		mid := fmt.Sprintf("<%s-%d@%s>", id, i, strings.Split(sender, "@")[1])
		ses := fmt.Sprintf("ses-%s-%d", id, i)
		msg := helpdesk.Message{ID: fmt.Sprintf("m-%s-%d", id, i), Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
			ProviderMessageID: mid, Subject: "Cheap watches " + id, Text: fmt.Sprintf("Buy replica watches number%s%d today", id, i), CreatedAt: at,
			AuthorContactID: contactOf(sender), BodyKey: "bodies/" + ses + ".json", Truncated: true,
			Attachments: []helpdesk.Attachment{{Name: "offer.pdf", ContentType: "application/pdf", Size: 10, Key: "attachments/" + ses + "/00-offer.pdf"}}}
		s.files.put(s.t, msg.BodyKey)
		s.files.put(s.t, msg.Attachments[0].Key)
		key := helpdesk.Sender{Email: sender}.Key(helpdesk.ChannelEmail)
		if i == 0 {
			in := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
				ProviderMessageID: mid, ReceivedAt: at, Sender: helpdesk.Sender{Email: sender}, Subject: msg.Subject, Text: msg.Text}
			c, _ = ticket.Open(ticket.Arrival{ID: id, Inbound: in, Message: msg, Channel: mail, ContactID: contactOf(sender),
				SenderKey: key, ThreadKeys: []string{mid, "ticket#" + id}, NewContact: true}, helpdesk.DefaultSettings(), at)
			c.Contact = &ticket.NewContact{Contact: helpdesk.Contact{ID: contactOf(sender), Email: sender, CreatedAt: at}, Key: key}
			if owner != "" {
				ticket.Route(&c, routing.Plan{Decision: routing.Decision{OwnerID: owner}}, at)
			}
		} else {
			cur, err := s.st.GetTicketHeader(s.ctx, id)
			if err != nil {
				s.t.Fatal(err)
			}
			if c, err = ticket.Append(cur, msg, key, []string{mid}, nil, helpdesk.DefaultSettings(), at); err != nil {
				s.t.Fatal(err)
			}
		}
		c.Dedupe = &ticket.Dedupe{Key: store.DedupeKey(mail.ID, mid), TicketID: id, MessageID: msg.ID}
		if err := s.st.Commit(s.ctx, c); err != nil {
			s.t.Fatalf("ticket %s message %d: %v", id, i, err)
		}
	}
	s.change(id, func(t helpdesk.Ticket) (ticket.Change, error) {
		c, _, err := ticket.Note(t, ticket.NoteInput{AgentID: "ann", Text: "looks like spam " + id}, nil, t0.Add(time.Hour))
		return c, err
	})
	if err := (&index.Service{Store: s.st}).Ticket(s.ctx, id); err != nil {
		s.t.Fatal(err)
	}
	t, err := s.st.GetTicketHeader(s.ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	return t
}

func contactOf(sender string) string { return "c-" + strings.Split(sender, "@")[0] }

func (s *scenario) change(id string, decide func(helpdesk.Ticket) (ticket.Change, error)) {
	s.t.Helper()
	t, err := s.st.GetTicketHeader(s.ctx, id)
	if err != nil {
		s.t.Fatal(err)
	}
	c, err := decide(t)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.st.Commit(s.ctx, c); err != nil {
		s.t.Fatal(err)
	}
}

func (s *scenario) load(agentID string) int {
	s.t.Helper()
	ls, err := s.st.Loads(s.ctx, []string{agentID}, helpdesk.TypeEmailOther, s.now)
	if err != nil {
		s.t.Fatal(err)
	}
	return ls[agentID].Count
}

func newScenario(t *testing.T, b testbed.Backend) *scenario {
	s := &scenario{t: t, ctx: context.Background(), now: t0.Add(2 * time.Hour)}
	s.st = b.Open(t, func() time.Time { return s.now })
	if b.Name == "dynamodb" {
		s.files = newS3Bucket(t)
	} else {
		s.files = newMemBucket()
	}
	for _, a := range []string{"ann"} {
		if err := s.st.PutAgent(s.ctx, helpdesk.Agent{ID: a, Email: a + "@acme.example", Name: a, Seat: true, Active: true, CreatedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *scenario) service() *purge.Service {
	return &purge.Service{Store: s.st, Files: s.files, Now: func() time.Time { return s.now }, PageSize: 3}
}

// The cascade, on both stores: a live ticket of 6 mails (files, thread
// keys, terms, a note, an owner's load) is deleted with everything that
// hangs off it, a neighbour keeps all of its own, the owner's count drops
// with the ticket, and a second run finds nothing left to do.
func TestPurgeRemovesEverythingOfOneTicketOnly(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		doomed := s.openMailTicket("4242", "spammer@spam.example", "ann", 6)
		s.openMailTicket("77", "ana@example.com", "ann", 2)
		if got := s.load("ann"); got != 2 {
			t.Fatalf("ann's load before: %d", got)
		}
		filesBefore := s.files.keys(t)

		if err := s.service().PurgeTicket(s.ctx, "4242"); err != nil {
			t.Fatal(err)
		}
		s.assertGone(doomed, filesBefore)
		if got := s.load("ann"); got != 1 {
			t.Fatalf("ann's load after: %d, want 1 (the neighbour)", got)
		}
		// Idempotent: again, nothing to do and no error.
		if err := s.service().PurgeTicket(s.ctx, "4242"); err != nil {
			t.Fatalf("second purge: %v", err)
		}
		s.assertGone(doomed, filesBefore)
		s.assertNeighbourWhole("77")
	})
}

// A purge that fails halfway (the bucket refuses a delete after the first
// page) leaves what still names the rest, and the next run finishes.
func TestPurgeFinishesAfterACrashHalfway(t *testing.T) {
	s := newScenario(t, testbed.Mem)
	mf := s.files.(memBucket)
	doomed := s.openMailTicket("4242", "spammer@spam.example", "", 6)
	s.openMailTicket("77", "ana@example.com", "", 2)
	filesBefore := s.files.keys(t)
	svc := s.service()
	calls := 0
	svc.Files = failingAfter{inner: mf, after: 1, calls: &calls}
	if err := svc.PurgeTicket(s.ctx, "4242"); err == nil {
		t.Fatal("a purge whose bucket failed reported success")
	}
	if _, err := s.st.GetTicketHeader(s.ctx, "4242"); err != nil {
		t.Fatalf("the ticket went before its remains: %v", err)
	}
	if err := s.service().PurgeTicket(s.ctx, "4242"); err != nil {
		t.Fatal(err)
	}
	s.assertGone(doomed, filesBefore)
	s.assertNeighbourWhole("77")
}

type failingAfter struct {
	inner purge.Files
	after int
	calls *int
}

func (f failingAfter) Delete(ctx context.Context, keys []string) error {
	if *f.calls++; *f.calls > f.after {
		return errors.New("s3 down")
	}
	return f.inner.Delete(ctx, keys)
}

// A merged ticket is the model's to refuse: nothing is removed.
func TestPurgeOfATicketTheModelWillNotDeleteRemovesNothing(t *testing.T) {
	s := newScenario(t, testbed.Mem)
	s.openMailTicket("1", "a@example.com", "", 1)
	s.openMailTicket("2", "b@example.com", "", 1)
	p, _ := s.st.GetTicketHeader(s.ctx, "1")
	sec, _ := s.st.GetTicketHeader(s.ctx, "2")
	c, err := ticket.Merge(p, sec, "ann", t0.Add(90*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.st.Commit(s.ctx, c); err != nil {
		t.Fatal(err)
	}
	before := s.files.keys(t)
	if err := s.service().PurgeTicket(s.ctx, "2"); err == nil {
		t.Fatal("purged a merged ticket")
	}
	if got := s.files.keys(t); !slices.Equal(got, before) || len(convOf(t, s, "2").Messages) == 0 {
		t.Fatal("a refused purge removed something")
	}
}

func convOf(t testing.TB, s *scenario, id string) helpdesk.Conversation {
	t.Helper()
	c, err := s.st.GetTicket(s.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertGone checks nothing of doomed is readable, and no file of it is
// left (files of other tickets are).
func (s *scenario) assertGone(doomed helpdesk.Ticket, filesBefore []string) {
	s.t.Helper()
	id := doomed.ID
	if _, err := s.st.GetTicket(s.ctx, id); !errors.Is(err, helpdesk.ErrNotFound) {
		s.t.Fatalf("ticket %s still reads: %v", id, err)
	}
	for _, k := range doomed.ThreadKeys {
		if tid, _, err := s.st.FindThread(s.ctx, []string{k}); err == nil {
			s.t.Fatalf("thread key %s still leads to %s", k, tid)
		}
	}
	for _, w := range []string{"replica", "watches", "number" + id + "0", "spam"} {
		hits, err := s.st.FindTickets(s.ctx, w, 100)
		if err != nil {
			s.t.Fatal(err)
		}
		for _, h := range hits {
			if h.TicketID == id {
				s.t.Fatalf("term %q still finds ticket %s", w, id)
			}
		}
	}
	for _, k := range s.files.keys(s.t) {
		if strings.Contains(k, "-"+id+"-") {
			s.t.Fatalf("file %s of ticket %s is left", k, id)
		}
	}
	if got, want := len(s.files.keys(s.t)), len(filesBefore)-2*(doomed.MessageCount-1); got != want {
		s.t.Fatalf("%d files left, want %d", got, want)
	}
	if ds, ok := s.st.(interface{ TicketIndexed(string) bool }); ok && ds.TicketIndexed(id) {
		s.t.Fatalf("memstore still indexes ticket %s", id)
	}
	if d, ok := s.st.(*testbed.DynamoDBStore); ok {
		assertTableHasNothingOf(s.t, d, id)
	}
}

func (s *scenario) assertNeighbourWhole(id string) {
	s.t.Helper()
	c := convOf(s.t, s, id)
	if len(c.Messages) != 3 { // 2 mails and a note
		s.t.Fatalf("neighbour %s has %d messages", id, len(c.Messages))
	}
	for _, k := range c.Ticket.ThreadKeys {
		if tid, _, err := s.st.FindThread(s.ctx, []string{k}); err != nil || tid != id {
			s.t.Fatalf("neighbour key %s: %s, %v", k, tid, err)
		}
	}
	hits, err := s.st.FindTickets(s.ctx, "number"+id+"0", 10)
	if err != nil || len(hits) == 0 {
		s.t.Fatalf("neighbour's terms: %v, %v", hits, err)
	}
	files := 0
	for _, k := range s.files.keys(s.t) {
		if strings.Contains(k, "-"+id+"-") {
			files++
		}
	}
	if files != 4 {
		s.t.Fatalf("neighbour has %d files, want 4", files)
	}
}

// A spam ticket others were merged into takes them with it: the merged
// tickets' conversations stay in their own partitions under tombstones,
// which the purge of the primary (TTL or the sweep) removes too, on both
// stores, before the primary's own item (a run that stops is run again).
func TestPurgeOfASpamTicketTakesTheTicketsMergedIntoIt(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		s := newScenario(t, b)
		primary := s.openMailTicket("4242", "spammer@spam.example", "ann", 3)
		merged := s.openMailTicket("4343", "spammer2@spam.example", "", 2)
		s.openMailTicket("77", "ana@example.com", "ann", 2)
		p, _ := s.st.GetTicketHeader(s.ctx, "4242")
		sec, _ := s.st.GetTicketHeader(s.ctx, "4343")
		c, err := ticket.Merge(p, sec, "ann", t0.Add(90*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.st.Commit(s.ctx, c); err != nil {
			t.Fatal(err)
		}
		s.change("4242", func(tk helpdesk.Ticket) (ticket.Change, error) {
			return ticket.MarkSpamConversations(tk, ticket.Conversations(tk, []string{"4343"}), nil, "ann", t0.Add(100*time.Minute))
		})
		if h, _ := s.st.GetTicketHeader(s.ctx, "4242"); h.State != helpdesk.StateSpam || h.ExpiresAt == 0 {
			t.Fatalf("the merged ticket as spam: state %s, expires %d", h.State, h.ExpiresAt)
		}

		if err := s.service().PurgeTicket(s.ctx, "4242"); err != nil {
			t.Fatal(err)
		}
		for _, doomed := range []helpdesk.Ticket{primary, merged} {
			if _, err := s.st.GetTicketHeader(s.ctx, doomed.ID); !errors.Is(err, helpdesk.ErrNotFound) {
				t.Fatalf("ticket %s still there: %v", doomed.ID, err)
			}
			if c, err := s.st.GetTicket(s.ctx, doomed.ID); err == nil || len(c.Messages) > 0 {
				t.Fatalf("ticket %s still reads: %+v, %v", doomed.ID, c.Messages, err)
			}
			for _, k := range s.files.keys(t) {
				if strings.Contains(k, "-"+doomed.ID+"-") {
					t.Fatalf("file %s of ticket %s is left", k, doomed.ID)
				}
			}
			if d, ok := s.st.(*testbed.DynamoDBStore); ok {
				assertTableHasNothingOf(t, d, doomed.ID)
			}
		}
		s.assertNeighbourWhole("77")
		if got := s.load("ann"); got != 1 {
			t.Fatalf("ann's load after: %d, want 1 (the neighbour)", got)
		}
	})
}
