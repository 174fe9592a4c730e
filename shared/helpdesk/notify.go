package helpdesk

import "slices"

// AgentKinds are the kinds of notification an agent's own feed holds, each
// with an in-app and an email preference.
var AgentKinds = []NotificationKind{NotifyAssigned, NotifyMentioned, NotifyCustomerMessage, NotifyNote, NotifyStatus, NotifyCustomerEdit,
	NotifySLAWarning, NotifySLABreach}

// Valid reports whether k is a known kind.
func (k NotificationKind) Valid() bool {
	return k == NotifyTeamUnassigned || slices.Contains(AgentKinds, k)
}

// Email reports whether the agent asked to be emailed about kind.
func (p NotifyPrefs) Email(kind NotificationKind) bool {
	switch kind {
	case NotifyAssigned:
		return p.EmailOnAssignment
	case NotifyTeamUnassigned:
		return p.EmailOnTeamUnassigned
	case NotifyMentioned:
		return p.EmailOnMention
	case NotifyCustomerMessage:
		return p.EmailOnCustomerMessage
	case NotifyNote:
		return p.EmailOnNote
	case NotifyStatus:
		return p.EmailOnStatus
	case NotifyCustomerEdit:
		return p.EmailOnCustomerEdit
	case NotifySLAWarning:
		return !p.NoEmailOnSLAWarning
	case NotifySLABreach:
		return !p.NoEmailOnSLABreach
	}
	return false
}

// SetEmail sets the email preference of kind (a kind with none is ignored).
func (p *NotifyPrefs) SetEmail(kind NotificationKind, on bool) {
	switch kind {
	case NotifyAssigned:
		p.EmailOnAssignment = on
	case NotifyTeamUnassigned:
		p.EmailOnTeamUnassigned = on
	case NotifyMentioned:
		p.EmailOnMention = on
	case NotifyCustomerMessage:
		p.EmailOnCustomerMessage = on
	case NotifyNote:
		p.EmailOnNote = on
	case NotifyStatus:
		p.EmailOnStatus = on
	case NotifyCustomerEdit:
		p.EmailOnCustomerEdit = on
	case NotifySLAWarning:
		p.NoEmailOnSLAWarning = !on
	case NotifySLABreach:
		p.NoEmailOnSLABreach = !on
	}
}

// InApp reports whether the agent's feed records kind: every kind unless muted.
func (p NotifyPrefs) InApp(kind NotificationKind) bool { return !slices.Contains(p.MutedInApp, kind) }
