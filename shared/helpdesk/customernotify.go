package helpdesk

import "slices"

// CustomerNotifyKind names one kind of notification sent to a ticket's
// customer (issue 14). Each tenant can turn each kind off
// (Settings.CustomerNotify) and each contact can unsubscribe from each kind
// (an opt-out, recorded from the link in the email).
type CustomerNotifyKind string

const (
	// CustomerReply: an agent answered in a way the customer would not
	// otherwise see (a reply recorded but not sent to them).
	CustomerReply CustomerNotifyKind = "reply"
	// CustomerClosed, CustomerReopened: an agent closed or reopened the ticket.
	CustomerClosed   CustomerNotifyKind = "closed"
	CustomerReopened CustomerNotifyKind = "reopened"
	// CustomerWaiting: an agent moved the ticket to a stage marked
	// Stage.WaitingOnCustomer ("waiting on you").
	CustomerWaiting CustomerNotifyKind = "waiting"
)

// CustomerKinds are every kind of customer notification.
var CustomerKinds = []CustomerNotifyKind{CustomerReply, CustomerClosed, CustomerReopened, CustomerWaiting}

// Valid reports whether k is a known kind.
func (k CustomerNotifyKind) Valid() bool { return slices.Contains(CustomerKinds, k) }

// CustomerNotifySettings are the tenant's switches for customer
// notifications: every kind is on unless listed in Off (so settings stored
// before they existed notify).
type CustomerNotifySettings struct {
	Off []CustomerNotifyKind `json:"off,omitempty"`
}

// On reports whether the tenant sends notifications of kind k.
func (s CustomerNotifySettings) On(k CustomerNotifyKind) bool { return !slices.Contains(s.Off, k) }

// validate refuses an unknown or repeated kind.
func (s CustomerNotifySettings) validate() error {
	seen := map[CustomerNotifyKind]bool{}
	for _, k := range s.Off {
		switch {
		case !k.Valid():
			return Errorf(EInvalid, "unknown_customer_notify_kind", "customer notification kind %q is not one of reply, closed, reopened, waiting", k)
		case seen[k]:
			return Errorf(EInvalid, "duplicate_customer_notify_kind", "customer notification kind %q is listed twice", k)
		}
		seen[k] = true
	}
	return nil
}

// CustomerOptOut records that a contact unsubscribed from one kind of
// customer notification (the link in the email); later notifications of
// that kind skip them.
type CustomerOptOut struct {
	ContactID string             `dynamodbav:"contactId" json:"contact_id"`
	Kind      CustomerNotifyKind `dynamodbav:"kind" json:"kind"`
}
