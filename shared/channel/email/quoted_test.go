package email

import "testing"

// The quoted history and signature a reply's new text leaves out are kept
// apart in Quoted; a mail with nothing cut has none.
func TestQuotedHistoryKeptApart(t *testing.T) {
	p, err := Parse(msg(with(), "Thanks, that worked.\n\n-- \nJane\n\nOn Mon, 4 Mar 2024, Acme <support@acme.example> wrote:\n> Try restarting.\n> Regards"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Text != "Thanks, that worked." {
		t.Fatalf("text %q", p.Text)
	}
	want := "--\nJane\n\nOn Mon, 4 Mar 2024, Acme <support@acme.example> wrote:\n> Try restarting.\n> Regards"
	if p.Quoted != want {
		t.Fatalf("quoted %q, want %q", p.Quoted, want)
	}
	p, err = Parse(msg(with(), "Just a question."), Options{})
	if err != nil || p.Quoted != "" {
		t.Fatalf("nothing cut: quoted %q, %v", p.Quoted, err)
	}
}
