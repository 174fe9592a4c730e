package jobs

// KindContactProfile asks the outbound function to fetch a Messenger
// contact's name from the Graph API (outbound queue): a ContactProfile.
const KindContactProfile = "contact.profile"

// ContactProfile names the contact whose profile to fetch, and where: the
// page (ChannelID "messenger:<page id>", whose token reads it) and the
// contact's page-scoped id.
type ContactProfile struct {
	ContactID string `json:"contact_id"`
	ChannelID string `json:"channel_id"`
	PSID      string `json:"psid"`
}
