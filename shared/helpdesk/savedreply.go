package helpdesk

import (
	"regexp"
	"strings"
	"time"
)

// SavedReply is a snippet: a reply agents insert instead of typing it again.
// A personal one (Shared false) is its owner's alone; a shared one is every
// agent's. Its text may carry tokens, expanded when it is used (Render).
type SavedReply struct {
	ID        string    `dynamodbav:"id" json:"id"`
	Name      string    `dynamodbav:"name" json:"name"`
	Text      string    `dynamodbav:"text" json:"text"`
	Shared    bool      `dynamodbav:"shared" json:"shared"`
	OwnerID   string    `dynamodbav:"ownerId" json:"owner_id"` // who wrote it
	CreatedAt time.Time `dynamodbav:"createdAt" json:"created_at"`
	UpdatedAt time.Time `dynamodbav:"updatedAt" json:"updated_at"`
}

// Snippet tokens: what a saved reply may say about the ticket it answers.
const (
	TokenContactFirstName = "contact.first_name"
	TokenAgentName        = "agent.name"
	TokenTicketNumber     = "ticket.number"
)

// tokenPattern finds {{ name }} tokens.
var tokenPattern = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// knownTokens are the tokens Render expands.
var knownTokens = map[string]bool{TokenContactFirstName: true, TokenAgentName: true, TokenTicketNumber: true}

// VisibleTo reports whether agentID may use (and see) r.
func (r SavedReply) VisibleTo(agentID string) bool { return r.Shared || r.OwnerID == agentID }

// CheckTokens refuses text naming a token Render does not know, so a typo
// is caught when the snippet is saved, not when a customer reads it.
func CheckTokens(text string) error {
	for _, m := range tokenPattern.FindAllStringSubmatch(text, -1) {
		if !knownTokens[m[1]] {
			return Errorf(EInvalid, "unknown_token", "unknown token {{%s}}: use {{%s}}, {{%s}} or {{%s}}",
				m[1], TokenContactFirstName, TokenAgentName, TokenTicketNumber)
		}
	}
	return nil
}

// SnippetValues are what a saved reply's tokens expand to on one ticket.
type SnippetValues struct {
	ContactName  string // the contact's full name; the first word is used
	AgentName    string
	TicketNumber string
}

// Render expands the tokens of text. A contact with no name leaves
// {{contact.first_name}} empty; an unknown token (saved before it was
// checked) is left as written.
func Render(text string, v SnippetValues) string {
	first, _, _ := strings.Cut(strings.TrimSpace(v.ContactName), " ")
	vals := map[string]string{TokenContactFirstName: first, TokenAgentName: v.AgentName, TokenTicketNumber: v.TicketNumber}
	return tokenPattern.ReplaceAllStringFunc(text, func(tok string) string {
		name := tokenPattern.FindStringSubmatch(tok)[1]
		if val, ok := vals[name]; ok {
			return val
		}
		return tok
	})
}
