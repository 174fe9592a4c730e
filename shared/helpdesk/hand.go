package helpdesk

// ChannelOther is the channel kind of a ticket an agent logged by hand that
// came through no channel (a phone call, a conversation at the desk). It is
// not a kind inbound messages may carry (ChannelKind.Valid refuses it); such
// tickets are answered by email, like forms.
const ChannelOther ChannelKind = "other"

// RepliesOnOwnChannel reports whether a ticket of channel kind k is answered
// on its own channel; the others (forms, the API, tickets logged by hand)
// are answered by email from the tenant's default email channel.
func RepliesOnOwnChannel(k ChannelKind) bool {
	return k == ChannelEmail || k == ChannelMessenger || k == ChannelWhatsApp
}
