package helpdesk

// MaxTicketIDLen bounds a ticket id: ticket ids are ticket numbers of at
// most this many digits.
const MaxTicketIDLen = 20

// ValidTicketID reports whether id can be a ticket's (1 to MaxTicketIDLen
// ASCII digits): what the APIs check before reading, so an id no ticket
// can have is answered like a missing ticket without a read.
func ValidTicketID(id string) bool {
	if id == "" || len(id) > MaxTicketIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
	}
	return true
}
