package send

import (
	"context"
	"errors"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Profiles reads Messenger users' profiles (graphapi.Client).
type Profiles interface {
	MessengerProfile(ctx context.Context, token, psid string) (graphapi.Profile, error)
}

// ContactNames writes the names fetched onto contacts (the table).
type ContactNames interface {
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	UpdateContact(ctx context.Context, before, after helpdesk.Contact) error
}

// fetchProfile names a Messenger contact from Meta's User Profile API with
// the page's token. A contact already named is left as it is (the name is
// cached, or an agent chose it). Meta down (a retryable error) hands the
// job back to SQS, whose redeliveries space the retries; a refusal (no
// permission, a PSID Meta will not show), or the last delivery, records
// the failure on the contact instead of failing the job: a name is not
// worth a DLQ alarm, and the contact's next message a day later asks again
// (ticket.NeedsProfile). The ticket was created with the PSID meanwhile.
func (s *Sender) fetchProfile(ctx context.Context, job jobs.ContactProfile, received int) error {
	log := s.Log.With("contact_id", job.ContactID, "channel", job.ChannelID)
	if s.Profiles == nil || s.Contacts == nil {
		log.WarnContext(ctx, "no Graph API profile reader configured; contact left unnamed")
		return nil
	}
	c, err := s.Contacts.GetContact(ctx, job.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		log.InfoContext(ctx, "profile job for a contact that no longer exists, dropped")
		return nil
	}
	if err != nil {
		return fmt.Errorf("profile of contact %s: %w", job.ContactID, err)
	}
	if c.Name != "" {
		return nil
	}
	token, err := s.Tokens.AccessToken(ctx, job.ChannelID)
	if err != nil {
		return fmt.Errorf("profile of contact %s: token of %s: %w", job.ContactID, job.ChannelID, err)
	}
	p, err := s.Profiles.MessengerProfile(ctx, token, job.PSID)
	name := helpdesk.TruncateRunes(p.DisplayName(), 200, helpdesk.Ellipsis)
	switch {
	case err != nil && graphapi.Retryable(err) && received < MaxReceives:
		return fmt.Errorf("profile of contact %s: %w", job.ContactID, err)
	case err != nil || name == "":
		if err == nil {
			err = errors.New("the profile has no name")
		}
		log.WarnContext(ctx, "contact's name not fetched; asked again on a message a day later", "received", received, "error", err)
		return s.setContact(ctx, c, func(c *helpdesk.Contact) bool {
			c.ProfileFailedAt = s.Now().UTC()
			return true
		})
	}
	log.InfoContext(ctx, "contact named from the Messenger profile")
	return s.setContact(ctx, c, func(c *helpdesk.Contact) bool {
		if c.Name != "" {
			return false // named meanwhile (an agent): theirs stands
		}
		c.Name, c.ProfileFailedAt = name, helpdesk.Contact{}.ProfileFailedAt
		return true
	})
}

// setContact applies set to the contact as read, conditioned on its
// version; after a concurrent edit it reads again and asks set again.
func (s *Sender) setContact(ctx context.Context, before helpdesk.Contact, set func(*helpdesk.Contact) bool) error {
	for attempt := 0; ; attempt++ {
		after := before
		if !set(&after) {
			return nil
		}
		after.Version++
		err := s.Contacts.UpdateContact(ctx, before, after)
		if !errors.Is(err, store.ErrVersionChanged) || attempt >= 5 {
			if err != nil {
				return fmt.Errorf("update contact %s: %w", before.ID, err)
			}
			return nil
		}
		if before, err = s.Contacts.GetContact(ctx, before.ID); err != nil {
			return fmt.Errorf("update contact %s: %w", before.ID, err)
		}
	}
}
