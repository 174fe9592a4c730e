package send

import (
	"net/url"

	"github.com/stackdesk/stackdesk/shared/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// surveyLink is the satisfaction survey link a "closed" notice carries
// (issue 14): the ticket as it is now must still be closed (a reopened
// ticket has none), and the token is the one csat-page verifies (keyed by
// csat.LinkKey of the reply-token secret, as appcsat.Service.Link signs).
// Spam and blocked senders never get here: the notice is not decided for
// them, and a ticket gone to spam since is dropped before.
func (s *Sender) surveyLink(job jobs.CustomerEmail, t helpdesk.Ticket) (string, bool) {
	if job.Kind != helpdesk.CustomerClosed || s.CustomerLinks.Survey == "" || len(s.TokenSecret) == 0 {
		return "", false
	}
	tok, ok := csat.For(s.Tenant, t)
	if !ok {
		return "", false
	}
	return s.CustomerLinks.Survey + "?token=" + url.QueryEscape(csat.Sign(csat.LinkKey(s.TokenSecret), tok)), true
}
