package portal

import (
	"context"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Search bounds: what one customer search reads.
const (
	maxQuery = 200 // characters of q
	// maxTextReads bounds the conversations one search reads to confirm
	// matches in the conversation's text (newest first): beyond it, older
	// tickets are found by their subject only.
	maxTextReads = 20
)

// readQuery returns the parsed q of a ticket list, nil without one.
func readQuery(r *http.Request) (*search.Query, error) {
	if !r.URL.Query().Has("q") {
		return nil, nil
	}
	q := r.URL.Query().Get("q")
	if len(r.URL.Query()["q"]) > 1 {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "query_repeated", "give q once")
	}
	if utf8.RuneCountInString(q) > maxQuery {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "query_too_long", "q: at most %d characters", maxQuery)
	}
	pq := search.ParseQuery(q)
	if pq.TicketID == "" && len(pq.Terms) == 0 {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "query_required", "q: say what to search for (a ticket number or words)")
	}
	return &pq, nil
}

// search keeps the customer's tickets (newest first, already theirs and
// visible) that are the number asked for, or whose subject and public
// conversation hold every word of q.
//
// The tenant's term index is not queried by term: a term's partition spans
// every customer's tickets, so its cost would grow with the tenant. Instead
// the customer's own tickets are checked, at a cost bounded by their number
// (at most maxTickets): first their subjects (in the list's headers: no
// read); then, for the rest, the index's record of each ticket's terms
// (one batch read) says which may hold the missing words; those few
// conversations are read to confirm the words are in a public message.
// The confirmation is needed because the index keeps internal notes' words
// too (agents search them): a customer's search must never find a ticket
// by a note.
func (a *API) search(ctx context.Context, tickets []helpdesk.Ticket, q search.Query) ([]helpdesk.Ticket, error) {
	found := map[string]bool{}
	missing := map[string][]string{} // ticket → the words its subject lacks
	var rest []string
	for _, t := range tickets {
		if q.TicketID != "" && t.ID == q.TicketID {
			found[t.ID] = true
			continue
		}
		if len(q.Terms) == 0 {
			continue
		}
		subject := search.Words(t.Subject)
		var lack []string
		for _, w := range q.Terms {
			if !slices.Contains(subject, w) {
				lack = append(lack, w)
			}
		}
		if len(lack) == 0 {
			found[t.ID] = true
			continue
		}
		missing[t.ID] = lack
		rest = append(rest, t.ID)
	}
	if len(rest) > 0 {
		records, err := a.Store.TicketTermHashes(ctx, rest)
		if err != nil {
			return nil, err
		}
		reads := 0
		for _, id := range rest { // newest first, as listed
			if !mayHold(records[id], missing[id]) {
				continue
			}
			if reads == maxTextReads {
				break
			}
			reads++
			ok, err := a.publicTextHolds(ctx, id, missing[id])
			if err != nil {
				return nil, err
			}
			found[id] = ok
		}
	}
	out := tickets[:0:0]
	for _, t := range tickets {
		if found[t.ID] {
			out = append(out, t)
		}
	}
	return out, nil
}

// mayHold reports whether a ticket's term record (store.TermHash values,
// sorted) has each word in its subject or its messages.
func mayHold(record []uint32, words []string) bool {
	if len(record) == 0 {
		return false
	}
	for _, w := range words {
		_, inMessage := slices.BinarySearch(record, store.TermHash(search.Term{Text: w, Field: search.FieldMessage}))
		_, inSubject := slices.BinarySearch(record, store.TermHash(search.Term{Text: w, Field: search.FieldSubject}))
		if !inMessage && !inSubject {
			return false
		}
	}
	return true
}

// publicTextHolds reads ticket id's conversation and reports whether its
// public messages (the customer's and the agents' replies: never notes,
// never a merged ticket's) hold every word.
func (a *API) publicTextHolds(ctx context.Context, id string, words []string) (bool, error) {
	conv, err := a.Store.GetTicket(ctx, id)
	if helpdesk.IsCode(err, helpdesk.ENotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	left := slices.Clone(words)
	for _, m := range conv.Messages {
		if (m.Direction != helpdesk.Inbound && m.Direction != helpdesk.Outbound) || (m.TicketID != "" && m.TicketID != id) {
			continue
		}
		have := search.Words(m.Text)
		left = slices.DeleteFunc(left, func(w string) bool { return slices.Contains(have, w) })
		if len(left) == 0 {
			return true, nil
		}
	}
	return false, nil
}
