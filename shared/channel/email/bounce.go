package email

import (
	"net/textproto"
	"regexp"
	"strings"
)

// classicBounce recognises a bounce without DSN structure (qmail, old
// Exchange, hand-rolled MTAs) only from signs taken together: a null or
// daemon sender, a bounce-like subject, and a returned message or a
// diagnostic in the text. One sign alone is not enough: spam often carries
// Return-Path: <>, and a person may write "Undeliverable" in a subject.
// It returns the reason, or "" when the mail is not a bounce.
func classicBounce(h textproto.MIMEHeader, c *collector, from string) string {
	sender := ""
	if rp, ok := h["Return-Path"]; ok && len(rp) > 0 && strings.ReplaceAll(rp[0], " ", "") == "<>" {
		sender = "return-path: <>"
	}
	if local, _, ok := strings.Cut(from, "@"); ok && sender == "" {
		switch local {
		case "mailer-daemon", "postmaster", "mail-daemon", "maildaemon":
			sender = "from: " + local
		}
	}
	if sender == "" {
		return ""
	}
	subject := decodeHeader(h.Get("Subject"))
	if !bounceSubject.MatchString(subject) {
		return ""
	}
	evidence := ""
	switch {
	case len(c.messages) > 0 || len(c.headers) > 0:
		evidence = "returned message"
	default:
		text := strings.Join(c.texts, "\n")
		if text == "" && len(c.htmls) > 0 {
			text = htmlToText(strings.Join(c.htmls, "\n"))
		}
		if len(text) > 64<<10 {
			text = text[:64<<10]
		}
		switch {
		case bounceCopy.MatchString(text) || bodyMessageID.MatchString(text):
			evidence = "returned message"
		case bounceDiagnostic.MatchString(text):
			evidence = "diagnostic"
		}
	}
	if evidence == "" {
		return ""
	}
	return sender + ", bounce subject, " + evidence
}

// bounceSubject: the subjects MTAs give their non-delivery reports.
var bounceSubject = regexp.MustCompile(`(?i)(undeliver|undelivered|non[- ]?deliver|delivery (status notification|failure|failed|notification|problem|has failed)|failure notice|returned mail|mail delivery (failed|failure|system|subsystem)|could not (be )?deliver|delivery fail|message not delivered|mail system error|warning: could not send|delayed mail|unzustellbar|nicht zustellbar|non remis|impossible de remettre|non distribuable|no se puede entregar|no entregado|non recapitabile|onbestelbaar|não entregue|returned to sender)`)

// bounceCopy: the line above a returned copy in a plain-text bounce.
var bounceCopy = regexp.MustCompile(`(?im)^[ \t-]*(below this line is a copy of the message|original message follows|the original message (was|is) (included|attached)|copy of the (original )?message|returned message follows|unsent message below)`)

// bounceDiagnostic: SMTP replies and enhanced status codes a bounce quotes.
var bounceDiagnostic = regexp.MustCompile(`(?i)(\b(550|551|552|553|554|450|451|452)[ -][0-9]\.[0-9]{1,3}\.[0-9]{1,3}\b|#[45]\.[0-9]{1,3}\.[0-9]{1,3}|diagnostic-code:|remote server returned|user unknown|no such (user|mailbox)|mailbox (unavailable|not found|full)|recipient address rejected|host or domain name not found|address couldn't be found|permanent error|i've given up)`)
