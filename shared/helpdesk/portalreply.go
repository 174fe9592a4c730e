package helpdesk

// StatusInPortal is the delivery state of an agent's reply recorded only in
// the customer portal (issue 14): a portal ticket whose contact has no
// email address has no channel to send it on. It never changes; the
// customer sees it when they open the ticket in the portal (and may be told
// of it in their Messenger or WhatsApp conversation).
const StatusInPortal MessageStatus = "in_portal"
