package helpdesk

import "net/url"

// The portal channel: every customer action in the portal is queued as an
// InboundMessage of kind ChannelPortal on the channel PortalChannelID (one
// scope for its message ids, so the portal can find where one landed by
// its id alone). A tenant's portal channel, the Channel of that id and
// kind, holds the rule that routes the tickets opened in the portal.
const PortalChannelID = "portal"

// PortalMessagePrefix starts the provider message id of a portal action
// ("portal-" and 32 hex digits).
const PortalMessagePrefix = "portal-"

// FilteredPortal is the filtered kind of a portal action the router did
// not apply (its reason says why: not the contact's ticket, no portal
// channel).
const FilteredPortal = "portal"

// PortalUploadPrefix is where a contact's portal uploads are kept: an
// upload id names a file only under its own contact's prefix.
func PortalUploadPrefix(contactID string) string {
	return "attachments/portal/" + url.PathEscape(contactID) + "/"
}
