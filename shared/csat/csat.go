package csat

import (
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Window is how long after a ticket closes its customer may rate it.
const Window = 28 * 24 * time.Hour

// MaxComment bounds a rating's comment, in characters.
const MaxComment = 2000

// For returns the token a closing notification links to, or false when t is
// not surveyed (not closed, or spam: spam is never surveyed).
func For(tenant string, t helpdesk.Ticket) (Token, bool) {
	if t.State != helpdesk.StateClosed || t.ClosedAt.IsZero() || t.ContactID == "" {
		return Token{}, false
	}
	return Token{Tenant: tenant, TicketID: t.ID, ContactID: t.ContactID, Expires: t.ClosedAt.Add(Window).UTC()}, true
}

// Decide returns the rating contactID gives ticket t at now, or why not:
// the score 1 to 5, the comment bounded, then MayRate (the ticket theirs,
// closed, closed less than Window ago). Whether it was rated
// before is the store's conditional write.
func Decide(t helpdesk.Ticket, contactID string, score int, comment string, now time.Time) (helpdesk.Rating, error) {
	if score < 1 || score > 5 {
		return helpdesk.Rating{}, helpdesk.Errorf(helpdesk.EInvalid, "invalid_score", "score must be 1 to 5")
	}
	comment = strings.TrimSpace(comment)
	if !utf8.ValidString(comment) || utf8.RuneCountInString(comment) > MaxComment {
		return helpdesk.Rating{}, helpdesk.Errorf(helpdesk.EInvalid, "invalid_comment", "the comment must be text of at most %d characters", MaxComment)
	}
	if err := MayRate(t, contactID, now); err != nil {
		return helpdesk.Rating{}, err
	}
	return helpdesk.Rating{
		TicketID: t.ID, ContactID: contactID, Score: score, Comment: comment,
		RatedAt: now.UTC(), ClosedAt: t.ClosedAt.UTC(),
		OwnerID: t.OwnerID, TeamID: t.TeamID, ChannelID: t.ChannelID, ChannelKind: t.ChannelKind,
	}, nil
}

// MayRate reports whether contactID may rate ticket t at now, or why not:
// the ticket must be theirs (another's, a spam or a merged one is not
// found), closed, and closed less than Window ago. Decide holds a rating
// to it; a ticket's page asks it whether to offer one.
func MayRate(t helpdesk.Ticket, contactID string, now time.Time) error {
	if t.ContactID != contactID {
		// Another contact's ticket (merged away, say) does not exist for them.
		return helpdesk.ErrNotFound
	}
	switch {
	case t.State == helpdesk.StateSpam || t.State == helpdesk.StateMerged:
		return helpdesk.ErrNotFound
	case t.State != helpdesk.StateClosed || t.ClosedAt.IsZero():
		return helpdesk.Errorf(helpdesk.EConflict, "ticket_open", "only a closed ticket can be rated")
	case !now.Before(t.ClosedAt.Add(Window)):
		return helpdesk.Errorf(helpdesk.EConflict, "rating_expired", "a ticket can be rated for 28 days after it closed")
	}
	return nil
}

// Groupings of the report.
const (
	ByAgent   = "agent"
	ByTeam    = "team"
	ByChannel = "channel"
)

// ValidBy reports whether by is a grouping of the report.
func ValidBy(by string) bool { return by == ByAgent || by == ByTeam || by == ByChannel }

// Report groups ratings by by: responses and the share of each score per
// group, the groups by key.
func Report(from, to time.Time, by string, ratings []helpdesk.Rating) helpdesk.CSATReport {
	groups := map[string]*helpdesk.CSATGroup{}
	rep := helpdesk.CSATReport{From: from.UTC(), To: to.UTC(), By: by, Groups: []helpdesk.CSATGroup{}}
	for _, r := range ratings {
		if r.Score < 1 || r.Score > 5 {
			continue
		}
		k := r.ChannelID
		switch by {
		case ByAgent:
			k = r.OwnerID
		case ByTeam:
			k = r.TeamID
		}
		g := groups[k]
		if g == nil {
			g = &helpdesk.CSATGroup{Key: k}
			groups[k] = g
		}
		g.Responses++
		g.Counts[r.Score-1]++
		rep.Responses++
	}
	for _, k := range slices.Sorted(maps.Keys(groups)) {
		g := groups[k]
		for i, n := range g.Counts {
			g.Shares[i] = float64(n) / float64(g.Responses)
		}
		rep.Groups = append(rep.Groups, *g)
	}
	return rep
}
