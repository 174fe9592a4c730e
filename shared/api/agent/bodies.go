package agent

import (
	"context"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// bodyLink marks a message whose item holds only a snippet of its body and
// signs a link to the whole body the router kept in the bucket (bodies/).
func (a *API) bodyLink(ctx context.Context, m helpdesk.Message, v *MessageView) error {
	if !m.Truncated {
		return nil
	}
	v.Truncated = true
	if a.Files == nil || !strings.HasPrefix(m.BodyKey, "bodies/") {
		return nil
	}
	u, err := a.Files.DownloadURL(ctx, m.BodyKey, "message-"+m.ID+".json", false, linkTTL)
	if err != nil {
		return err
	}
	v.BodyURL, v.BodyExpiresAt = u, a.now().Add(linkTTL)
	return nil
}
