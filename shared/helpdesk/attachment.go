package helpdesk

import "strings"

// KeptFile reports whether a file key is one the desk stores and may hand
// out signed links to: email attachments and sent files (attachments/),
// channel media (media/). Anything else (a WhatsApp media id not fetched
// yet, a raw mail) has no link. The agent API and the portal both ask.
func KeptFile(key string) bool {
	return strings.HasPrefix(key, "attachments/") || strings.HasPrefix(key, "media/")
}
