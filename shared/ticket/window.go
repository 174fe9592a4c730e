package ticket

import (
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Reply windows. Meta only lets a business answer a customer for a while
// after the customer's last message; outside them a send fails with
// (#10/2018278) on Messenger or 131047 on WhatsApp, so we refuse early with a
// message the agent can act on.
//
// The windows are half-open: a reply is inside a window when the time since
// the customer's last message is strictly less than its length. At exactly 24 h
// (or 7 days) the window counts as closed, because the send reaches Meta after
// `now` and Meta judges it on its own clock; erring early costs a tag (the
// HUMAN_AGENT tag is valid within the standard window too) or an early
// refusal, never a send Meta rejects. A `now` before the message (clock skew
// between the webhook's timestamp and ours) counts as no time elapsed.
const (
	// MessengerStandardWindow: plain replies (messaging_type RESPONSE).
	MessengerStandardWindow = 24 * time.Hour
	// MessengerHumanAgentWindow: replies by a person, tagged HUMAN_AGENT.
	MessengerHumanAgentWindow = 7 * 24 * time.Hour
	// WhatsAppServiceWindow: free-form (non-template) messages.
	WhatsAppServiceWindow = 24 * time.Hour
)

// Messenger Send API values the reply windows map to.
const (
	MessagingTypeResponse   = "RESPONSE"
	MessagingTypeMessageTag = "MESSAGE_TAG"
	TagHumanAgent           = "HUMAN_AGENT"
)

// Window refusal reasons (helpdesk.EConflict).
const (
	ReasonWindowClosed      = "messaging_window_closed"
	ReasonNoCustomerMessage = "no_customer_message"
)

// MessengerReplyMode says how an agent's reply to a Messenger customer must
// be sent: ("RESPONSE", "") within 24 h of the customer's last message,
// ("MESSAGE_TAG", "HUMAN_AGENT") within 7 days, and an EConflict error
// (reason messaging_window_closed, or no_customer_message when
// lastCustomerMessage is zero) beyond.
func MessengerReplyMode(lastCustomerMessage, now time.Time) (messagingType, tag string, err error) {
	if lastCustomerMessage.IsZero() {
		return "", "", helpdesk.Errorf(helpdesk.EConflict, ReasonNoCustomerMessage,
			"the customer has not written on Messenger yet; Messenger only allows replies to a customer who wrote first")
	}
	age := elapsed(lastCustomerMessage, now)
	switch {
	case age < MessengerStandardWindow:
		return MessagingTypeResponse, "", nil
	case age < MessengerHumanAgentWindow:
		return MessagingTypeMessageTag, TagHumanAgent, nil
	}
	return "", "", helpdesk.Errorf(helpdesk.EConflict, ReasonWindowClosed,
		"the customer last wrote %s ago; Messenger allows replies up to 7 days (human agent tag)", formatAge(age))
}

// WhatsAppReplyAllowed returns nil when a free-form WhatsApp message may be
// sent (within 24 h of the customer's last message) and an EConflict error
// otherwise (reason messaging_window_closed, or no_customer_message when
// lastCustomerMessage is zero). Template messages, which WhatsApp allows
// outside the window, are not supported yet.
func WhatsAppReplyAllowed(lastCustomerMessage, now time.Time) error {
	if lastCustomerMessage.IsZero() {
		return helpdesk.Errorf(helpdesk.EConflict, ReasonNoCustomerMessage,
			"the customer has not written on WhatsApp yet; free-form replies only within 24 h of a customer message; template messages are not supported yet")
	}
	age := elapsed(lastCustomerMessage, now)
	if age < WhatsAppServiceWindow {
		return nil
	}
	return helpdesk.Errorf(helpdesk.EConflict, ReasonWindowClosed,
		"the customer last wrote %s ago; WhatsApp allows free-form replies only within 24 h; template messages are not supported yet", formatAge(age))
}

// elapsed is now - last, never negative (clock skew counts as no time).
func elapsed(last, now time.Time) time.Duration {
	d := now.Sub(last)
	if d < 0 {
		return 0
	}
	return d
}

// formatAge renders d, truncated to the minute, as "7d0h1m" or "5h3m":
// days make the 7-day limit readable where time.Duration says "168h1m0s".
func formatAge(d time.Duration) string {
	m := int64(d / time.Minute)
	days, hours, mins := m/(24*60), m/60%24, m%60
	if days > 0 {
		return fmt.Sprintf("%dd%dh%dm", days, hours, mins)
	}
	return fmt.Sprintf("%dh%dm", hours, mins)
}
