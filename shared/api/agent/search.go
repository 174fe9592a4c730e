package agent

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/store"
)

// SearchStore is what search and the contact directory read and write:
// the term index (one Query per term), batch reads of what it finds, the
// contacts' list (GSI3 CONTACTS) and their tickets (GSI4).
type SearchStore interface {
	FindTickets(ctx context.Context, term string, limit int32) ([]store.TicketHit, error)
	FindContacts(ctx context.Context, term string, limit int32) ([]store.ContactHit, error)
	GetTicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error)
	GetContacts(ctx context.Context, ids []string) (map[string]helpdesk.Contact, error)
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	GetAgent(ctx context.Context, id string) (helpdesk.Agent, error)
	ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error)
	ListContacts(ctx context.Context, after string, limit int32) ([]helpdesk.Contact, string, error)
	UpdateContact(ctx context.Context, before, after helpdesk.Contact) error
}

// Search bounds: what one search reads.
const (
	maxQuery        = 200 // characters of a query
	termHits        = 200 // newest tickets read per term
	contactHits     = 50  // contacts read per term
	contactsToOpen  = 5   // best-matching contacts whose tickets join the results
	ticketsPerOwner = 20  // newest tickets read per such contact
	defaultResults  = 20
	maxResults      = 50
)

// Matched fields, as a search result names them.
const (
	MatchNumber       = "ticket_number"
	MatchSubject      = "subject"
	MatchMessage      = "message"
	MatchContactName  = "contact_name"
	MatchContactEmail = "contact_email"
	MatchContactPhone = "contact_phone"
)

func matchName(f search.Field) string {
	switch f {
	case search.FieldSubject:
		return MatchSubject
	case search.FieldMessage:
		return MatchMessage
	case search.FieldEmail:
		return MatchContactEmail
	case search.FieldPhone:
		return MatchContactPhone
	default:
		return MatchContactName
	}
}

// SearchResult is one ticket found, with why.
type SearchResult struct {
	Ticket  helpdesk.Ticket `json:"ticket"`
	Matched []string        `json:"matched"`
	Score   int             `json:"score"`
}

// SearchResults is a search's answer, best first.
type SearchResults struct {
	Results []SearchResult `json:"results"`
}

// candidate is a ticket's running score: the distinct query terms it
// matched rank first (more terms beat fewer), then the fields' weights.
type candidate struct {
	id      string
	terms   map[string]bool
	weight  int
	matched []string
}

func (c *candidate) add(term string, w int, match string) {
	c.terms[term] = true
	c.weight += w
	if !slices.Contains(c.matched, match) {
		c.matched = append(c.matched, match)
	}
}

func readQuery(r *http.Request) (string, error) {
	q := r.URL.Query().Get("q")
	if utf8.RuneCountInString(q) > maxQuery {
		return "", helpdesk.Errorf(helpdesk.EInvalid, "query_too_long", "q: at most %d characters", maxQuery)
	}
	return q, nil
}

// searchTickets finds the tickets the caller may see by number, words of
// their subject and messages, and their contact's name, email or phone:
// one Query per term on the index, one more per best contact, one batch
// read of the best candidates; a ticket the caller may not see is dropped
// before anything about it is answered.
func (a *API) searchTickets(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	q, err := readQuery(r)
	if err != nil {
		return err
	}
	limit, err := readLimit(r, defaultResults, maxResults)
	if err != nil {
		return err
	}
	pq := search.ParseQuery(q)
	if pq.TicketID == "" && len(pq.Terms) == 0 {
		return helpdesk.Errorf(helpdesk.EInvalid, "query_required", "q: say what to search for (a ticket number, an email, a phone number or words)")
	}
	ctx := r.Context()
	cands := map[string]*candidate{}
	get := func(id string) *candidate {
		c := cands[id]
		if c == nil {
			c = &candidate{id: id, terms: map[string]bool{}}
			cands[id] = c
		}
		return c
	}
	if pq.TicketID != "" && helpdesk.ValidTicketID(pq.TicketID) {
		get(pq.TicketID).add("#", 100, MatchNumber)
	}
	contacts, err := a.matchContacts(ctx, pq.Terms)
	if err != nil {
		return err
	}
	for _, term := range pq.Terms {
		hits, err := a.Store.FindTickets(ctx, term, termHits)
		if err != nil {
			return err
		}
		for _, h := range hits {
			get(h.TicketID).add(term, h.Field.Weight(), matchName(h.Field))
		}
	}
	for _, c := range contacts[:min(len(contacts), contactsToOpen)] {
		tickets, err := a.Store.ContactTickets(ctx, c.id, ticketsPerOwner)
		if err != nil {
			return err
		}
		for _, t := range tickets {
			tc := get(t.ID)
			for term := range c.terms {
				tc.terms[term] = true
			}
			tc.weight += c.weight
			for _, m := range c.matched {
				if !slices.Contains(tc.matched, m) {
					tc.matched = append(tc.matched, m)
				}
			}
		}
	}
	ranked := rank(cands)
	// A scoped caller gets a few more read than asked: some may be out of
	// their sight.
	read := limit
	if p.Scope() != helpdesk.ScopeAll {
		read = 2*limit + 10
	}
	ranked = ranked[:min(len(ranked), read)]
	ids := make([]string, len(ranked))
	for i, c := range ranked {
		ids[i] = c.id
	}
	headers, err := a.Store.GetTicketHeaders(ctx, ids)
	if err != nil {
		return err
	}
	if err := mergedHits(ctx, a.Store, headers); err != nil {
		return err
	}
	out := SearchResults{Results: []SearchResult{}}
	shown := map[string]bool{}
	for _, c := range ranked {
		t, ok := headers[c.id]
		if !ok || !p.CanSee(t) || t.Expired(a.now()) || shown[t.ID] {
			continue
		}
		shown[t.ID] = true
		out.Results = append(out.Results, SearchResult{Ticket: t, Matched: c.matched, Score: 100*len(c.terms) + c.weight})
		if len(out.Results) == limit {
			break
		}
	}
	httpjson.Write(w, http.StatusOK, out)
	return nil
}

// rank orders candidates: more distinct terms, then more weight, then the
// newer ticket (the higher number).
func rank(cands map[string]*candidate) []*candidate {
	out := make([]*candidate, 0, len(cands))
	for _, c := range cands {
		out = append(out, c)
	}
	num := func(id string) int64 { n, _ := strconv.ParseInt(id, 10, 64); return n }
	slices.SortFunc(out, func(x, y *candidate) int {
		if c := cmp.Compare(len(y.terms), len(x.terms)); c != 0 {
			return c
		}
		if c := cmp.Compare(y.weight, x.weight); c != 0 {
			return c
		}
		return cmp.Compare(num(y.id), num(x.id))
	})
	return out
}

// matchContacts scores the contacts found under the terms (contact ids
// ranked like tickets, by terms then weight).
func (a *API) matchContacts(ctx context.Context, terms []string) ([]*candidate, error) {
	cands := map[string]*candidate{}
	for _, term := range terms {
		hits, err := a.Store.FindContacts(ctx, term, contactHits)
		if err != nil {
			return nil, err
		}
		for _, h := range hits {
			c := cands[h.ContactID]
			if c == nil {
				c = &candidate{id: h.ContactID, terms: map[string]bool{}}
				cands[h.ContactID] = c
			}
			if !c.terms[term] { // a name and its prefix count once
				c.add(term, h.Field.Weight(), matchName(h.Field))
			}
		}
	}
	ranked := rank(cands)
	slices.SortStableFunc(ranked, func(x, y *candidate) int { return cmp.Compare(len(y.terms), len(x.terms)) })
	return ranked, nil
}

// ContactPage is one page of contacts; Next, when set, continues it.
type ContactPage struct {
	Contacts []helpdesk.Contact `json:"contacts"`
	Next     string             `json:"next,omitempty"`
}

// listContacts lists the directory newest first, or, with q, the contacts
// whose name, email or phone match. Every signed-in user sees the
// directory (a customer may write to any team); what they see of a
// contact's tickets is their access.
func (a *API) listContacts(w http.ResponseWriter, r *http.Request, _ helpdesk.Principal) error {
	q, err := readQuery(r)
	if err != nil {
		return err
	}
	limit, err := readLimit(r, defaultPage, maxPage)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if strings.TrimSpace(q) != "" {
		if r.URL.Query().Get("cursor") != "" {
			return helpdesk.Errorf(helpdesk.EInvalid, "invalid_cursor", "a search is one page: no cursor with q")
		}
		pq := search.ParseQuery(q)
		found, err := a.matchContacts(ctx, pq.Terms)
		if err != nil {
			return err
		}
		found = found[:min(len(found), limit)]
		ids := make([]string, len(found))
		for i, c := range found {
			ids[i] = c.id
		}
		byID, err := a.Store.GetContacts(ctx, ids)
		if err != nil {
			return err
		}
		page := ContactPage{Contacts: []helpdesk.Contact{}}
		for _, id := range ids {
			if c, ok := byID[id]; ok {
				page.Contacts = append(page.Contacts, c)
			}
		}
		httpjson.Write(w, http.StatusOK, page)
		return nil
	}
	after, err := a.readCursor(r, "contacts")
	if err != nil {
		return err
	}
	contacts, next, err := a.Store.ListContacts(ctx, after, int32(limit))
	if err != nil {
		return err
	}
	page := ContactPage{Contacts: contacts}
	if page.Contacts == nil {
		page.Contacts = []helpdesk.Contact{}
	}
	if next != "" {
		page.Next = a.sealCursor(next, "contacts")
	}
	httpjson.Write(w, http.StatusOK, page)
	return nil
}

// ContactView is a contact with the tickets of theirs the caller may see.
type ContactView struct {
	Contact helpdesk.Contact  `json:"contact"`
	Tickets []helpdesk.Ticket `json:"tickets"`
}

const (
	maxContactID      = 64
	contactTicketRead = 50
)

func errNoContact(id string) error {
	return helpdesk.Errorf(helpdesk.ENotFound, "contact_not_found", "no contact %s", id)
}

func (a *API) readContact(ctx context.Context, id string) (helpdesk.Contact, error) {
	if id == "" || len(id) > maxContactID || strings.ContainsAny(id, "#/") {
		return helpdesk.Contact{}, errNoContact(id)
	}
	c, err := a.Store.GetContact(ctx, id)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return c, errNoContact(id)
	}
	return c, err
}

func (a *API) contactView(ctx context.Context, p helpdesk.Principal, c helpdesk.Contact) (ContactView, error) {
	tickets, err := a.Store.ContactTickets(ctx, c.ID, contactTicketRead)
	if err != nil {
		return ContactView{}, err
	}
	v := ContactView{Contact: c, Tickets: []helpdesk.Ticket{}}
	for _, t := range tickets {
		if p.CanSee(t) && t.State != helpdesk.StateMerged { // a tombstone shows through its primary
			v.Tickets = append(v.Tickets, t)
		}
	}
	return v, nil
}

func (a *API) getContact(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	c, err := a.readContact(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := a.contactView(r.Context(), p, c)
	if err != nil {
		return err
	}
	httpjson.Write(w, http.StatusOK, v)
	return nil
}

// ContactEdit changes a contact's name, email, phone or owner; "" clears
// one (the name, email and phone), null or absent leaves it.
type ContactEdit struct {
	Name    *string `json:"name"`
	Email   *string `json:"email"`
	Phone   *string `json:"phone"`
	OwnerID *string `json:"owner_id"`
}

const (
	maxEmail = 254
	maxPhone = 32
)

func (e *ContactEdit) check() error {
	for _, f := range []struct {
		name string
		v    *string
		max  int
	}{{"name", e.Name, maxName}, {"email", e.Email, maxEmail}, {"phone", e.Phone, maxPhone}, {"owner_id", e.OwnerID, maxName}} {
		if err := tooLong(f.name, f.v, f.max); err != nil {
			return err
		}
	}
	if e.Email != nil && *e.Email != "" && search.EmailTerms(*e.Email) == nil {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_email", "email: not an email address")
	}
	if e.Phone != nil && *e.Phone != "" && search.Digits(*e.Phone) == "" {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_phone", "phone: %d to 20 digits, with + - ( ) . / or spaces", search.MinPhoneDigits)
	}
	if e.Name == nil && e.Email == nil && e.Phone == nil && e.OwnerID == nil {
		return helpdesk.Errorf(helpdesk.EInvalid, "nothing_to_change", "say what to change: name, email, phone or owner_id")
	}
	return nil
}

func (e *ContactEdit) apply(c helpdesk.Contact) helpdesk.Contact {
	if e.Name != nil {
		c.Name = strings.TrimSpace(*e.Name)
	}
	if e.Email != nil {
		c.Email = strings.ToLower(strings.TrimSpace(*e.Email))
	}
	if e.Phone != nil {
		c.Phone = strings.TrimSpace(*e.Phone)
	}
	if e.OwnerID != nil {
		c.OwnerID = *e.OwnerID
	}
	c.Version++
	return c
}

// editContact changes a contact; its owner (what the contact-owner routing
// rule routes to) must be an active agent who holds a seat, and a new
// email or phone must not be another contact's (409).
func (a *API) editContact(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	if err := mayWork(p, "edit contacts"); err != nil {
		return err
	}
	ctx := r.Context()
	before, err := a.readContact(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	e, err := readObject[ContactEdit](r)
	if err != nil {
		return err
	}
	if err := e.check(); err != nil {
		return err
	}
	if e.OwnerID != nil && *e.OwnerID != "" {
		owner, err := a.Store.GetAgent(ctx, *e.OwnerID)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
			return helpdesk.Errorf(helpdesk.EInvalid, "owner_unknown", "owner_id: no user %q", *e.OwnerID)
		case err != nil:
			return err
		case !owner.Active || !owner.Seat || owner.Role == helpdesk.RoleViewer:
			return helpdesk.Errorf(helpdesk.EInvalid, "owner_not_assignable", "owner_id: %q is not an active agent with a seat", *e.OwnerID)
		}
	}
	// An edit names the fields it sets, so re-applying it over a contact
	// another edit changed meanwhile is what the agent asked for.
	for attempt := 0; ; attempt++ {
		after := e.apply(before)
		err = a.Store.UpdateContact(ctx, before, after)
		switch {
		case errors.Is(err, store.ErrContactKeyTaken):
			return helpdesk.Errorf(helpdesk.EConflict, "contact_key_taken", "another contact has this email address or phone number")
		case errors.Is(err, store.ErrVersionChanged) && attempt < 5:
			if before, err = a.readContact(ctx, before.ID); err != nil {
				return err
			}
			continue
		case err != nil:
			return err
		}
		v, err := a.contactView(ctx, p, after)
		if err != nil {
			return err
		}
		httpjson.Write(w, http.StatusOK, v)
		return nil
	}
}
