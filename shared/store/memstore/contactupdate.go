package memstore

import "github.com/stackdesk/stackdesk/shared/ticket"

// A change's contact edit (ticket.ContactUpdate), as store.Commit writes it.

// contactUpdateItems counts its items: the contact and each new key.
func contactUpdateItems(c ticket.Change) int {
	if c.ContactUpdate == nil {
		return 0
	}
	return 1 + len(c.ContactUpdate.Keys)
}

func contactUpdateKeys(c ticket.Change) []string {
	u := c.ContactUpdate
	if u == nil {
		return nil
	}
	keys := []string{"CONTACT#" + u.After.ID}
	for _, k := range u.Keys {
		keys = append(keys, "CONTACTKEY#"+k)
	}
	return keys
}

// checkContactUpdate reports a key that is another contact's (taken) and a
// contact that is gone or changed since it was read (version).
func (s *Store) checkContactUpdate(c ticket.Change) (taken, version bool) {
	u := c.ContactUpdate
	if u == nil {
		return false, false
	}
	cur, ok := s.contacts[u.After.ID]
	version = !ok || cur.Version != u.Before.Version
	for _, k := range u.Keys {
		if id, exists := s.contactKeys[k]; exists && id != u.After.ID {
			taken = true
		}
	}
	return taken, version
}

func (s *Store) applyContactUpdate(c ticket.Change) {
	u := c.ContactUpdate
	if u == nil {
		return
	}
	s.contacts[u.After.ID] = u.After
	for _, k := range u.Keys {
		s.contactKeys[k] = u.After.ID
	}
}
