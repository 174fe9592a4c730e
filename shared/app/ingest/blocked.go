package ingest

import "context"

// Blocked tells whether agents blocked a sender (desk.Service.Spam with
// block_sender; store: BLOCKED#<sender key>).
type Blocked interface {
	IsBlocked(ctx context.Context, senderKey string) (bool, error)
}

// ReasonSenderBlocked is the thread note of a message whose sender is
// blocked: it opened a ticket straight in the Spam view (or joined their
// spam ticket), never routed, answered or notified.
const ReasonSenderBlocked = "sender_blocked"

// blocked reports whether the sender, or whoever actually sent a forward,
// is blocked: one GetItem each.
func (s *Service) blocked(ctx context.Context, keys ...string) (bool, error) {
	for i, k := range keys {
		if k == "" || i > 0 && k == keys[0] {
			continue
		}
		b, err := s.Store.IsBlocked(ctx, k)
		if err != nil || b {
			return b, err
		}
	}
	return false, nil
}
