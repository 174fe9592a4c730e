package ingest

import "context"

// Numbers reserves a new ticket's number per inbound message: a delivery
// that took a number and then failed (a timeout, a crash, a refused write)
// is retried by SQS up to five times, and each retry must open its ticket
// under the number the first attempt took rather than burn another.
type Numbers interface {
	// ReserveTicketNumber returns the number reserved for the message with
	// this dedupe key, taking the next one from the counter the first time.
	ReserveTicketNumber(ctx context.Context, dedupeKey string) (string, error)
}

// ticketNumber is the number a new ticket for the message gets.
func (s *Service) ticketNumber(ctx context.Context, dedupe string) (string, error) {
	return s.Store.ReserveTicketNumber(ctx, dedupe)
}

// reservedNumber is the number reserved for the message under its dedupe key.
type reservedNumber struct{ key, number string }
