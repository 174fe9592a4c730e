package agent

// Filtered mail: the mail email-inbound kept out of the tickets
// (auto-replies, bounces, bulk mail, loops, unreadable mail, mail for no
// channel), listed newest first, and made a ticket after all by an agent
// who sees it was a customer. It is anyone's mail, so only those who see
// every ticket see it (helpdesk.Principal.CanSeeFiltered).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// FilteredStore is what the filtered-mail routes read and write.
type FilteredStore interface {
	GetFiltered(ctx context.Context, received time.Time, sesID string) (helpdesk.FilteredMail, error)
	ListFiltered(ctx context.Context, kind, after string, limit int32) ([]helpdesk.FilteredMail, string, error)
	PromoteFiltered(ctx context.Context, f helpdesk.FilteredMail, audit helpdesk.AuditEntry) error
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error) // the channel an agent promotes into
}

// PromoteRequest is the optional body of POST /api/filtered/{id}/promote:
// the email channel to make the ticket in. Required for mail that came for
// no channel (to an address the desk never configured); otherwise it
// overrides the channel the mail came to.
type PromoteRequest struct {
	ChannelID *string `json:"channel_id"`
}

// Promoter queues a filtered mail as normal mail, so the router makes it a
// ticket (receive.Handler.Promote); what cannot be a ticket is a conflict.
type Promoter interface {
	Promote(ctx context.Context, f helpdesk.FilteredMail) (*helpdesk.InboundMessage, error)
}

// rawLinkTTL is how long a link to a filtered mail's raw message lives.
const rawLinkTTL = 5 * time.Minute

// FilteredItem is one filtered mail as the API shows it. ID names it for
// POST /api/filtered/{id}/promote; RawURL downloads the raw mail (.eml).
type FilteredItem struct {
	ID string `json:"id"`
	helpdesk.FilteredMail
	RawURL string `json:"raw_url,omitempty"`
}

// FilteredPage is one page of the list; Next, when set, continues it.
type FilteredPage struct {
	Filtered []FilteredItem `json:"filtered"`
	Next     string         `json:"next,omitempty"`
}

func (a *API) filteredRoutes() []Route {
	return []Route{
		{"GET /api/filtered", a.signedIn(a.listFiltered)},
		{"POST /api/filtered/{id}/promote", a.signedIn(a.promoteFiltered)},
	}
}

// filteredID names a filtered mail for the API: when SES received it and
// SES's id, which is where it sits in the list.
func filteredID(f helpdesk.FilteredMail) string {
	return strconv.FormatInt(f.ReceivedAt.UnixNano(), 10) + "." + f.SESMessageID
}

// parseFilteredID reads a filteredID; anything else is a 404.
func parseFilteredID(s string) (time.Time, string, error) {
	nanos, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || n < 0 || id == "" || len(id) > 128 || strings.ContainsFunc(id, func(r rune) bool {
		return !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) {
		return time.Time{}, "", errFilteredNotFound(s)
	}
	return time.Unix(0, n).UTC(), id, nil
}

func errFilteredNotFound(id string) error {
	return helpdesk.Errorf(helpdesk.ENotFound, "filtered_not_found", "no filtered mail %.80q", id)
}

func mayListFiltered(p helpdesk.Principal) error {
	if p.CanSeeFiltered() {
		return nil
	}
	return helpdesk.Errorf(helpdesk.EForbidden, "cannot_see_filtered", "filtered mail is anyone's: only those who see every ticket see it")
}

func (a *API) filteredItem(ctx context.Context, f helpdesk.FilteredMail) FilteredItem {
	it := FilteredItem{ID: filteredID(f), FilteredMail: f}
	if a.Files != nil && f.RawKey != "" {
		url, err := a.Files.DownloadURL(ctx, f.RawKey, f.SESMessageID+".eml", false, rawLinkTTL)
		if err != nil {
			// The record matters more than the link: list it without one.
			a.Log.WarnContext(ctx, "no link to a filtered mail", "ses_message_id", f.SESMessageID, "error", err)
		}
		it.RawURL = url
	}
	return it
}

// listFiltered serves a page of the filtered mail, newest first, of one
// kind (?kind=) or all.
func (a *API) listFiltered(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	if err := mayListFiltered(p); err != nil {
		return err
	}
	limit, err := readLimit(r, defaultPage, maxPage)
	if err != nil {
		return err
	}
	kind := r.URL.Query().Get("kind")
	if kind != "" && !helpdesk.ValidFilteredKind(kind) {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_kind", "kind must be one of %s", strings.Join(helpdesk.FilteredKinds, ", "))
	}
	scope := "filtered|" + kind
	after, err := a.readCursor(r, scope)
	if err != nil {
		return err
	}
	fs, next, err := a.Store.ListFiltered(r.Context(), kind, after, int32(limit))
	if err != nil {
		return err
	}
	page := FilteredPage{Filtered: make([]FilteredItem, 0, len(fs))}
	for _, f := range fs {
		page.Filtered = append(page.Filtered, a.filteredItem(r.Context(), f))
	}
	if next != "" {
		page.Next = a.sealCursor(next, scope)
	}
	httpjson.Write(w, http.StatusOK, page)
	return nil
}

// promoteFiltered makes a filtered mail a ticket, in the channel it came
// to or the one the body names: its mail is queued as normal mail (the
// router makes the ticket, deduplicated by Message-ID),
// then the record is marked promoted, with its audit entry. Queued first,
// so a failure after it leaves the record promotable, and promoting again
// queues the same message, which the router applies once.
func (a *API) promoteFiltered(w http.ResponseWriter, r *http.Request, p helpdesk.Principal) error {
	if err := mayListFiltered(p); err != nil {
		return err
	}
	if err := mayWork(p, "make filtered mail a ticket"); err != nil {
		return err
	}
	id := r.PathValue("id")
	received, sesID, err := parseFilteredID(id)
	if err != nil {
		return err
	}
	before, err := a.Store.GetFiltered(r.Context(), received, sesID)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return errFilteredNotFound(id)
	}
	if err != nil {
		return err
	}
	if before.PromotedAt != nil {
		return alreadyPromoted(before)
	}
	into, err := a.promoteInto(r, before)
	if err != nil {
		return err
	}
	if a.Promoter == nil {
		return fmt.Errorf("promote filtered mail %s: the API has no Promoter", id)
	}
	chosen := before
	chosen.ChannelID = into
	m, err := a.Promoter.Promote(r.Context(), chosen)
	if err != nil {
		return err
	}
	now := a.Desk.Now().UTC()
	// The record then names the channel its ticket is in (the audit
	// entry's before keeps the one it came to, if any).
	after := chosen
	after.PromotedBy, after.PromotedAt, after.PromotedMessageID = p.Agent.ID, &now, m.ProviderMessageID
	was, _ := json.Marshal(before)
	is, _ := json.Marshal(after)
	audit := helpdesk.AuditEntry{ID: helpdesk.NewID(), At: now, ActorID: p.Agent.ID, Kind: helpdesk.AuditFiltered,
		EntityID: id, Action: helpdesk.AuditPromote, Before: was, After: is}
	err = a.Store.PromoteFiltered(r.Context(), after, audit)
	switch {
	case errors.Is(err, store.ErrAlreadyPromoted):
		// Another agent won; the router applies the message once.
		if now, rerr := a.Store.GetFiltered(r.Context(), received, sesID); rerr == nil && now.PromotedAt != nil {
			return alreadyPromoted(now)
		}
		return err
	case errors.Is(err, helpdesk.ErrNotFound):
		return errFilteredNotFound(id)
	case err != nil:
		return err
	}
	httpjson.Write(w, http.StatusAccepted, a.filteredItem(r.Context(), after))
	return nil
}

// promoteInto reads the optional body and returns the channel to make the
// ticket in: the one chosen, else the one the mail came to. A chosen one
// must be an email channel (400 unknown_channel); whether it is enabled
// the Promoter checks (409 channel_unavailable), as for the mail's own.
func (a *API) promoteInto(r *http.Request, f helpdesk.FilteredMail) (string, error) {
	var req PromoteRequest
	body, err := httpjson.ReadCapped(r, maxBody)
	if err != nil {
		return "", err
	}
	if len(bytes.TrimSpace(body)) > 0 {
		r.Body = io.NopCloser(bytes.NewReader(body))
		in, err := readStrict[PromoteRequest](r)
		if err != nil {
			return "", err
		}
		req = *in
	}
	if req.ChannelID == nil {
		if f.ChannelID == "" {
			return "", helpdesk.Errorf(helpdesk.EInvalid, "channel_required",
				"field \"channel_id\" is required: this mail came to no address of the desk, so name the email channel to make the ticket in")
		}
		return f.ChannelID, nil
	}
	id := *req.ChannelID
	if err := tooLong("channel_id", &id, 200); err != nil {
		return "", err
	}
	ch, err := a.Store.GetChannel(r.Context(), id)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound) || err == nil && ch.Kind != helpdesk.ChannelEmail:
		return "", helpdesk.Errorf(helpdesk.EInvalid, "unknown_channel", "field \"channel_id\": no email channel %.80q", id)
	case err != nil:
		return "", err
	}
	return ch.ID, nil
}

func alreadyPromoted(f helpdesk.FilteredMail) error {
	return helpdesk.Errorf(helpdesk.EConflict, "already_promoted", "this mail was made a ticket by %s at %s",
		f.PromotedBy, f.PromotedAt.UTC().Format(time.RFC3339))
}
