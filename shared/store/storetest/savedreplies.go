package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Saved replies are created, replaced, listed by name and deleted once;
// email channels are listed by id, other kinds left out.
func testSavedRepliesAndEmailChannels(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	hi := helpdesk.SavedReply{ID: "s1", Name: "Hello", Text: "Hi {{contact.first_name}}", Shared: true, OwnerID: "ann", CreatedAt: T0, UpdatedAt: T0}
	bye := helpdesk.SavedReply{ID: "s2", Name: "Bye", Text: "Bye", OwnerID: "bob", CreatedAt: T0, UpdatedAt: T0}
	for _, r := range []helpdesk.SavedReply{hi, bye} {
		if err := s.PutSavedReply(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := s.GetSavedReply(ctx, "s1"); err != nil || !reflect.DeepEqual(got, hi) {
		t.Fatalf("GetSavedReply = %+v, %v; want %+v", got, err, hi)
	}
	hi.Name, hi.Text = "Welcome", "Welcome!"
	if err := s.PutSavedReply(ctx, hi); err != nil {
		t.Fatal(err)
	}
	list, err := eventually(func() ([]helpdesk.SavedReply, error) {
		l, err := s.ListSavedReplies(ctx)
		if err == nil && (len(l) != 2 || l[1].Name != "Welcome") {
			err = fmt.Errorf("not yet: %+v", l)
		}
		return l, err
	})
	if err != nil || !reflect.DeepEqual(list, []helpdesk.SavedReply{bye, hi}) {
		t.Fatalf("ListSavedReplies = %+v, %v; want Bye then the replaced Welcome", list, err)
	}
	if err := s.DeleteSavedReply(ctx, "s2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSavedReply(ctx, "s2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleting it again: %v, want ErrNotFound", err)
	}
	if _, err := s.GetSavedReply(ctx, "s2"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted saved reply: %v, want ErrNotFound", err)
	}

	for _, ch := range []helpdesk.Channel{
		{ID: "email:z@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "z@acme.example"}, CreatedAt: T0},
		{ID: "form:web", Kind: helpdesk.ChannelForm, CreatedAt: T0},
		{ID: "email:a@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "a@acme.example"}, CreatedAt: T0},
	} {
		if err := s.PutChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	chans, err := eventually(func() ([]helpdesk.Channel, error) {
		l, err := s.EmailChannels(ctx)
		if err == nil && len(l) != 2 {
			err = fmt.Errorf("not yet: %+v", l)
		}
		return l, err
	})
	if err != nil || chans[0].ID != "email:a@acme.example" || chans[1].ID != "email:z@acme.example" || chans[0].Email.Address != "a@acme.example" {
		t.Fatalf("EmailChannels = %+v, %v; want the two email channels by id", chans, err)
	}
}
