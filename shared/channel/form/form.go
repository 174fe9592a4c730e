// Package form turns a web-form submission into an inbound message. It is
// pure: no I/O, no clock; the webhook handler supplies both.
package form

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Field names with a meaning; every other field is a hidden field kept on the
// submission.
const (
	FieldEmail        = "email"
	FieldName         = "name"
	FieldSubject      = "subject"
	FieldDescription  = "description"
	FieldPipeline     = "pipeline"
	FieldStatus       = "status"
	FieldSubmissionID = "submission_id"
	// Priority and category are hidden fields too: taken for the ticket
	// when the channel allows it (Hidden), else kept on the submission.
	FieldPriority = "priority"
	FieldCategory = "category"
)

// Limits bound a submission. They keep the queued message far below SQS's
// size limit and a ticket readable.
var Limits = struct {
	Fields, FieldName, Email, Name, Subject, Description, Value, SubmissionID int
}{Fields: 50, FieldName: 64, Email: 254, Name: 200, Subject: 255, Description: 32 << 10, Value: 4 << 10, SubmissionID: 128}

// Submission is a decoded form: each field's value.
type Submission map[string]string

func invalid(reason, format string, args ...any) error {
	return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
}

// Decode reads a body of the given Content-Type (JSON object or URL-encoded).
// Both go through helpdesk.CleanText: invalid UTF-8 becomes U+FFFD and NULs
// are dropped, the same for either encoding.
func Decode(contentType string, body []byte) (Submission, error) {
	sub, err := decode(contentType, body)
	if err != nil {
		return nil, err
	}
	clean := make(Submission, len(sub))
	for name, v := range sub {
		clean[helpdesk.CleanText(name)] = helpdesk.CleanText(v)
	}
	return clean, nil
}

func decode(contentType string, body []byte) (Submission, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil && contentType != "" {
		return nil, helpdesk.Errorf(helpdesk.EUnsupported, "unsupported_media_type", "cannot parse Content-Type %q", contentType)
	}
	switch mt {
	case "application/json":
		return decodeJSON(body)
	case "application/x-www-form-urlencoded":
		return decodeURLEncoded(body)
	}
	return nil, helpdesk.Errorf(helpdesk.EUnsupported, "unsupported_media_type",
		"Content-Type must be application/json or application/x-www-form-urlencoded, got %q", contentType)
}

func decodeJSON(body []byte) (Submission, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, invalid("bad_json", "body is not a JSON object: %v", err)
	}
	if dec.More() {
		return nil, invalid("bad_json", "body has data after the JSON object")
	}
	if len(raw) > Limits.Fields {
		return nil, invalid("too_many_fields", "at most %d fields, got %d", Limits.Fields, len(raw))
	}
	sub := make(Submission, len(raw))
	for name, v := range raw {
		s, err := scalar(name, v)
		if err != nil {
			return nil, err
		}
		if s != nil {
			sub[name] = *s
		}
	}
	return sub, nil
}

// scalar turns a JSON value into a field value: strings as they are, numbers
// and booleans as written, null as absent; objects and arrays are refused.
func scalar(name string, v json.RawMessage) (*string, error) {
	var x any
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	if err := d.Decode(&x); err != nil {
		return nil, invalid("bad_json", "field %q: %v", name, err)
	}
	var s string
	switch x := x.(type) {
	case nil:
		return nil, nil
	case string:
		s = x
	case json.Number:
		s = x.String()
	case bool:
		s = strconv.FormatBool(x)
	default:
		return nil, invalid("field_type", "field %q must be a string, number or boolean", name)
	}
	if isTextField(name) {
		if _, ok := x.(string); !ok {
			return nil, invalid("field_type", "field %q must be a string", name)
		}
	}
	return &s, nil
}

func isTextField(name string) bool {
	switch name {
	case FieldEmail, FieldName, FieldSubject, FieldDescription, FieldPipeline, FieldStatus, FieldSubmissionID:
		return true
	}
	return false
}

func decodeURLEncoded(body []byte) (Submission, error) {
	vals, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, invalid("bad_form", "body is not URL-encoded form data: %v", err)
	}
	if len(vals) > Limits.Fields {
		return nil, invalid("too_many_fields", "at most %d fields, got %d", Limits.Fields, len(vals))
	}
	sub := make(Submission, len(vals))
	for name, vs := range vals {
		if len(vs) > 1 && isTextField(name) {
			return nil, invalid("duplicate_field", "field %q is given %d times", name, len(vs))
		}
		// Multi-select inputs send one value per choice.
		sub[name] = strings.Join(vs, ", ")
	}
	return sub, nil
}

// Input is what Build needs besides the submission.
type Input struct {
	Channel      helpdesk.Channel
	Pipelines    helpdesk.Pipelines
	SubmissionID string // from the submission_id field or an Idempotency-Key header; generated if empty
	ReceivedAt   time.Time
	// Signed: the submission carried the channel's HMAC signature, so its
	// hidden fields are the form owner's (see Hidden).
	Signed bool
}

// Build validates a submission and maps it to an inbound message.
func Build(sub Submission, in Input) (*helpdesk.InboundMessage, error) {
	for name, v := range sub {
		if err := checkField(name, v); err != nil {
			return nil, err
		}
	}
	email := strings.TrimSpace(sub[FieldEmail])
	if email == "" {
		return nil, invalid("email_required", "field %q is required", FieldEmail)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email {
		return nil, invalid("email_invalid", "field %q is not a valid email address", FieldEmail)
	}
	subject := oneLine(sub[FieldSubject])
	description := normaliseText(sub[FieldDescription])
	if subject == "" && description == "" {
		return nil, invalid("content_required", "a %q or a %q is required", FieldSubject, FieldDescription)
	}
	if subject == "" {
		subject = helpdesk.Snippet(oneLine(firstLine(description)), 80)
	}

	props := in.Channel.Defaults
	take, refused := Hidden(sub, in.Channel.Form, in.Signed)
	if p := take.Pipeline; p != "" {
		props.Pipeline = p
		props.Status = "" // a pipeline's statuses are its own
		if s, ok := in.Pipelines[p]; ok && len(s.Stages) > 0 {
			props.Status = s.Stages[0].ID
		}
	}
	if s := take.Status; s != "" {
		props.Status = s
	}
	if _, err := in.Pipelines.Resolve(props.Pipeline, props.Status); err != nil {
		return nil, err
	}
	if take.Priority != "" {
		if !take.Priority.Valid() {
			return nil, invalid("unknown_priority", "unknown priority %q", take.Priority)
		}
		props.Priority = take.Priority
	}
	if take.Category != "" {
		props.Category = take.Category // the router checks it against the tenant's (a warning, never a refusal)
	}

	id := in.SubmissionID
	if v := strings.TrimSpace(sub[FieldSubmissionID]); v != "" {
		id = v
	}
	if id == "" {
		return nil, invalid("submission_id_required", "no submission id")
	}

	hidden := map[string]string{}
	for name, v := range sub {
		if !isTextField(name) {
			hidden[name] = v
		}
	}
	if take.Priority != "" {
		delete(hidden, FieldPriority)
	}
	if take.Category != "" {
		delete(hidden, FieldCategory)
	}
	for _, name := range refused { // kept for the agent, never applied
		hidden[name] = sub[name]
	}
	if len(hidden) == 0 {
		hidden = nil
	}
	return &helpdesk.InboundMessage{
		Version:           helpdesk.InboundVersion,
		Channel:           helpdesk.ChannelForm,
		ChannelID:         in.Channel.ID,
		ProviderMessageID: id,
		ReceivedAt:        in.ReceivedAt.UTC(),
		Sender:            helpdesk.Sender{Email: addr.Address, Name: oneLine(sub[FieldName])},
		Subject:           subject,
		Text:              description,
		Ticket:            props,
		Submission:        hidden,
	}, nil
}

var maxLen = map[string]int{
	FieldEmail: Limits.Email, FieldName: Limits.Name, FieldSubject: Limits.Subject,
	FieldDescription: Limits.Description, FieldSubmissionID: Limits.SubmissionID,
	FieldPipeline: Limits.FieldName, FieldStatus: Limits.FieldName,
}

func checkField(name, v string) error {
	if name == "" || len(name) > Limits.FieldName || !utf8.ValidString(name) {
		return invalid("field_name", "field names must be 1-%d bytes of UTF-8", Limits.FieldName)
	}
	if !utf8.ValidString(v) {
		return invalid("invalid_utf8", "field %q is not valid UTF-8", name)
	}
	max, ok := maxLen[name]
	if !ok {
		max = Limits.Value
	}
	if n := utf8.RuneCountInString(v); n > max {
		return invalid("field_too_long", "field %q is %d characters, at most %d", name, n, max)
	}
	return nil
}

func normaliseText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(strings.ReplaceAll(s, "\r", "\n"))
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// Hidden sorts a submission's hidden ticket properties (pipeline, status,
// priority, category) into those the ticket takes and the names of those
// it does not. An HMAC-signed submission comes from the form's owner and
// takes every one (Build still checks they exist). Any other submission
// was written by whoever loaded the page, so it takes only the values the
// channel's AllowedHidden lists; by default none, so a public form cannot
// choose its ticket's pipeline, open it closed or raise its priority.
func Hidden(sub Submission, fs *helpdesk.FormSettings, signed bool) (take helpdesk.TicketDefaults, refused []string) {
	var allow helpdesk.FormHidden
	if fs != nil && fs.AllowedHidden != nil {
		allow = *fs.AllowedHidden
	}
	pick := func(field string, list []string) string {
		v := strings.TrimSpace(sub[field])
		if v == "" {
			return ""
		}
		if signed || slices.Contains(list, v) {
			return v
		}
		refused = append(refused, field)
		return ""
	}
	priorities := make([]string, len(allow.Priorities))
	for i, p := range allow.Priorities {
		priorities[i] = string(p)
	}
	take.Pipeline = pick(FieldPipeline, allow.Pipelines)
	take.Status = pick(FieldStatus, allow.Statuses)
	take.Priority = helpdesk.Priority(pick(FieldPriority, priorities))
	take.Category = pick(FieldCategory, allow.Categories)
	return take, refused
}
