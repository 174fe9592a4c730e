package localrun

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// From is who wrote a ticket in, as /local/tickets shows it.
type From struct {
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`     // WhatsApp number, or one an agent recorded
	Messenger string `json:"messenger,omitempty"` // page-scoped id of a Messenger visitor
}

func fromContact(c helpdesk.Contact) From {
	f := From{Name: c.Name, Email: c.Email, Phone: c.Phone}
	if f.Phone == "" && c.WhatsAppID != "" {
		f.Phone = "+" + c.WhatsAppID
	}
	if c.PSID != "" {
		f.Messenger = c.PSID
	}
	return f
}

// localTickets is the local endpoints' view of tickets: each one's fields
// with who wrote in under "from", and no zero times (an open ticket has
// no closed_at rather than 0001-01-01).
func (r *Runner) localTickets(ctx context.Context, ts []helpdesk.Ticket) ([]map[string]any, error) {
	ids := make([]string, 0, len(ts))
	for _, t := range ts {
		if t.ContactID != "" {
			ids = append(ids, t.ContactID)
		}
	}
	contacts := map[string]helpdesk.Contact{}
	if len(ids) > 0 {
		var err error
		if contacts, err = r.Store.GetContacts(ctx, ids); err != nil {
			return nil, fmt.Errorf("contacts of the tickets: %w", err)
		}
	}
	out := make([]map[string]any, 0, len(ts))
	for _, t := range ts {
		m, err := withoutZeroTimes(t)
		if err != nil {
			return nil, err
		}
		if c, ok := contacts[t.ContactID]; ok {
			m["from"] = fromContact(c)
		}
		out = append(out, m)
	}
	return out, nil
}

// zeroTime is how encoding/json writes a zero time.Time.
var zeroTime = time.Time{}.Format(time.RFC3339Nano)

// withoutZeroTimes is v as a JSON object without the fields that hold a
// zero time.
func withoutZeroTimes(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	for k, x := range m {
		if s, ok := x.(string); ok && s == zeroTime {
			delete(m, k)
		}
	}
	return m, nil
}
