package store

// Every key format of the single table lives in this file, so the table's
// shape can be read in one place (docs/architecture.md explains it).
//
//	item            PK                        SK                         GSI1 (owner view)             GSI2 (team view)              GSI3 (list)          GSI4 (contact)
//	ticket          TICKET#<id>               TICKET                     OWNER#<owner|-|>#<state> /    TEAM#<team|->#<state> /       STATE#<state> /      CONTACT#<cid> /
//	                                                                     <created>#<id>                <A|U>#<created>#<id>          <created>#<id>       <created>#<id>
//	message         TICKET#<id>               MSG#<created>#<msgid>
//	activity        TICKET#<id>               ACT#<created>#<actid>
//	thread key      THREAD#<key>              THREAD
//	dedupe          DEDUPE#<channel>#<pmid>   DEDUPE                     (TTL expiresAt)
//	                (a ticket with outbox jobs not yet published is also in GSI5: OUTBOX / <updated>#<id>)
//	contact         CONTACT#<cid>             CONTACT
//	contact lookup  CONTACTKEY#<sender key>   CONTACTKEY
//	channel         CHANNEL#<id>              CHANNEL                                                                                  CHANNELS / <id>
//	agent           AGENT#<id>                AGENT                                                                                    AGENTS / <name>#<id>  AGENTSUB#<sub> / AGENT
//	team            TEAM#<id>                 TEAM                                                                                     TEAMS / <name>#<id>
//	counter         COUNTER#<name>            COUNTER
//	number reserved NUMBER#<dedupe key>       NUMBER                     (TTL expiresAt: the ticket number one inbound message took)
//	saved reply     SNIPPET#<id>              SNIPPET                                                                                  SNIPPETS / <name>#<id>
//	provider msg    PROVIDERMSG#<ch>#<pmid>   PROVIDERMSG                (our outbound message as the provider knows it)
//	held message    HOLD#<ch>#<sender key>    MSG#<received>#<pmid>      (TTL expiresAt: awaiting consent)
//	consent asked   HOLD#<ch>#<sender key>    ASKED                      (TTL expiresAt)
//	settings        SETTINGS                  SETTINGS                   (the tenant's admin settings, one item, versioned)
//	notification    NOTIFY#agent:<id>|team:<id>  <at>#<id>               (TTL expiresAt; readAt once read)
//	audit entry     AUDIT                     <at>#<id>                  (one settings change: who, when, before and after)
//	saved view      VIEW#<id>                 VIEW                                                                                     VIEWS#agent:<id>|team:<id> / <name>#<id>
//	filtered mail   FILTERED                  <received>#<ses id>        (TTL expiresAt: mail kept out of the tickets, 90 days)
//	submission      SUBMISSION#<ch>#<hash>    SUBMISSION                 (TTL expiresAt: which form submission first sent this content)
//	desk clock      CLOCK                     CLOCK                      (version +1 per indexed batch that changed a ticket: live updates)

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
)

// Attribute and index names, as declared in template.yaml.
const (
	attrPK = "PK"
	attrSK = "SK"

	IndexOwner   = "GSI1"
	IndexTeam    = "GSI2"
	IndexList    = "GSI3"
	IndexContact = "GSI4"
	IndexOutbox  = "GSI5"
)

const (
	skTicket     = "TICKET"
	skMsgPrefix  = "MSG#"
	skActPrefix  = "ACT#"
	skThread     = "THREAD"
	skDedupe     = "DEDUPE"
	skContact    = "CONTACT"
	skContactKey = "CONTACTKEY"
	skChannel    = "CHANNEL"
	skAgent      = "AGENT"
	skTeam       = "TEAM"
	skCounter    = "COUNTER"
	skProvider   = "PROVIDERMSG"
	skAsked      = "ASKED"
	skSettings   = "SETTINGS"
	pkSettings   = "SETTINGS" // one item per tenant, so its partition key is fixed
	skSubmission = "SUBMISSION"
	pkClock      = "CLOCK" // one item per tenant: the desk clock (clock.go)
	skClock      = "CLOCK"

	noOwner = "-" // stands for "unassigned" in view keys
)

// sortTime formats t so that lexical order is time order (fixed width, UTC).
func sortTime(t time.Time) string { return helpdesk.SortTime(t) }

func ticketPK(id string) string  { return "TICKET#" + id }
func contactPK(id string) string { return "CONTACT#" + id }
func channelPK(id string) string { return "CHANNEL#" + id }
func agentPK(id string) string   { return "AGENT#" + id }
func teamPK(id string) string    { return "TEAM#" + id }
func counterPK(n string) string  { return "COUNTER#" + n }

// Saved replies (snippets): one item each, all listed in one GSI3 partition.
const (
	skSnippet    = "SNIPPET"
	listSnippets = "SNIPPETS"
	listChannels = "CHANNELS"
)

func snippetPK(id string) string { return "SNIPPET#" + id }
func threadPK(key string) string { return "THREAD#" + boundedKey(key) }
func contactKeyPK(senderKey string) string {
	return "CONTACTKEY#" + boundedKey(senderKey)
}

func providerPK(channelID, providerMessageID string) string {
	return "PROVIDERMSG#" + boundedKey(channelID+"#"+providerMessageID)
}
func holdPK(channelID, senderKey string) string { return "HOLD#" + boundedKey(channelID+"#"+senderKey) }
func heldSK(received time.Time, providerMessageID string) string {
	return skMsgPrefix + sortTime(received) + "#" + boundedKey(providerMessageID)
}

// DedupeKey identifies one provider message on one channel.
func DedupeKey(channelID, providerMessageID string) string {
	return boundedKey(channelID + "#" + providerMessageID)
}
func dedupePK(key string) string { return "DEDUPE#" + key }

func messageSK(created time.Time, id string) string {
	return skMsgPrefix + sortTime(created) + "#" + id
}
func activitySK(created time.Time, id string) string {
	return skActPrefix + sortTime(created) + "#" + id
}

func ownerViewPK(owner string, s helpdesk.State) string {
	if owner == "" {
		owner = noOwner
	}
	return "OWNER#" + owner + "#" + string(s)
}

func teamViewPK(team string, s helpdesk.State) string {
	if team == "" {
		team = noOwner
	}
	return "TEAM#" + team + "#" + string(s)
}

func teamViewSK(owner string, created time.Time, id string) string {
	prefix := "A#"
	if owner == "" {
		prefix = "U#"
	}
	return prefix + sortTime(created) + "#" + id
}

func stateViewPK(s helpdesk.State) string { return "STATE#" + string(s) }

// outboxPK is the one partition of the sparse outbox index: a ticket is in
// it while its outbox holds jobs, sorted by when it last changed.
const outboxPK = "OUTBOX"

// timeZero measures the fixed width of a sort time.
var timeZero time.Time

func createdSK(created time.Time, id string) string {
	return sortTime(created) + "#" + id
}
func contactViewPK(cid string) string { return "CONTACT#" + cid }

// auditPK is the one partition of the audit trail: admins' changes are
// few (a partition takes 1,000 writes a second), and one partition reads
// newest first with a single Query.
const auditPK = "AUDIT"

func auditSK(at time.Time, id string) string { return sortTime(at) + "#" + id }

// agentSubPK finds an agent by their identity in the user pool (GSI4).
func agentSubPK(sub string) string { return "AGENTSUB#" + sub }

// maxKeyPart keeps provider ids (email Message-IDs can be ~1 KB) well inside
// DynamoDB's 2 KB partition-key limit; longer values are hashed.
const maxKeyPart = 512

func boundedKey(s string) string {
	if len(s) <= maxKeyPart {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// notificationSK places a notification in its recipient's feed, by time.
func notificationSK(at time.Time, id string) string { return sortTime(at) + "#" + id }

// ticketID renders a ticket number as its id: tickets are numbered per tenant
// (#1042) so customers and agents can quote them.
func ticketID(n int64) string { return strconv.FormatInt(n, 10) }

// The search index (docs/architecture.md, "Search"):
//
//	ticket term     TERM#<term>               T<999999999999 − n, 12 digits>#<field>   (newest ticket first)
//	contact term    CTERM#<term>              <contact id>#<field>
//	indexed terms   TERMS#<ticket id>         TERMS                      (hashes of the ticket's indexed terms)
//	contact list    CONTACT#<cid> / CONTACT in GSI3 CONTACTS / <created>#<cid>, newest first
const (
	skTerms     = "TERMS"
	pkContacts  = "CONTACTS"
	maxTicketNo = 999_999_999_999
)

func termPK(term string) string        { return "TERM#" + boundedKey(term) }
func contactTermPK(term string) string { return "CTERM#" + boundedKey(term) }
func termsPK(ticketID string) string   { return "TERMS#" + ticketID }

// termSK orders a term's tickets newest (highest number) first.
func termSK(ticketID, field string) string {
	n, err := strconv.ParseInt(ticketID, 10, 64)
	if err != nil || n < 0 || n > maxTicketNo {
		n = maxTicketNo
	}
	return fmt.Sprintf("T%012d#%s", maxTicketNo-n, field)
}

// ticketOfTermSK reads a ticket term's sort key back.
func ticketOfTermSK(sk string) (id, field string, ok bool) {
	rev, field, ok := strings.Cut(strings.TrimPrefix(sk, "T"), "#")
	n, err := strconv.ParseInt(rev, 10, 64)
	if !ok || err != nil || len(rev) != 12 {
		return "", "", false
	}
	return strconv.FormatInt(maxTicketNo-n, 10), field, true
}

func contactTermSK(contactID, field string) string { return contactID + "#" + field }

// ContactLookupKeys are the lookup keys an agent's edit keeps unique: the
// email address (the email channel's sender key) and the phone digits.
func ContactLookupKeys(c helpdesk.Contact) []string {
	var keys []string
	if c.Email != "" {
		keys = append(keys, helpdesk.Sender{Email: c.Email}.Key(helpdesk.ChannelEmail))
	}
	if d := search.Digits(c.Phone); d != "" {
		keys = append(keys, "phone#"+d)
	}
	return keys
}

func contactKeys(c helpdesk.Contact) keyAttrs {
	return keyAttrs{PK: contactPK(c.ID), SK: skContact, GSI3PK: pkContacts, GSI3SK: createdSK(c.CreatedAt, c.ID)}
}

// Saved views: VIEW#<id> / VIEW, listed by holder on GSI3
// (VIEWS#agent:<id> or VIEWS#team:<id> / <name>#<id>).
const skView = "VIEW"

func viewPK(id string) string        { return "VIEW#" + id }
func viewsPK(holder string) string   { return "VIEWS#" + holder }
func viewsSK(name, id string) string { return name + "#" + id }

// viewAttrs are the ticket's places in the views' sorts, as text whose
// order is the sort's (helpdesk.SortKey: "<time>#<id>", priority
// "<rank>#<created>#<id>"). A view's date ranges compare them with
// sortTime bounds (a suffix keeps "at or after" and "before" exact), and a
// page of a view sorted by one of them is read after a position on it.
// The ticket's own time attributes are RFC 3339 text: not in time order.
type viewAttrs struct {
	CreatedKey      string `dynamodbav:"vCreated"`
	UpdatedKey      string `dynamodbav:"vUpdated"`
	LastCustomerKey string `dynamodbav:"vLastCustomer"`
	PriorityKey     string `dynamodbav:"vPriority"`
	DueKey          string `dynamodbav:"vDue"` // helpdesk.SLA.Due, or NoDueKey
}

func newViewAttrs(t helpdesk.Ticket) viewAttrs {
	return viewAttrs{
		CreatedKey: helpdesk.SortKey(t, helpdesk.SortCreated), UpdatedKey: helpdesk.SortKey(t, helpdesk.SortUpdated),
		LastCustomerKey: helpdesk.SortKey(t, helpdesk.SortLastCustomerMessage), PriorityKey: helpdesk.SortKey(t, helpdesk.SortPriority),
		DueKey: helpdesk.SortKey(t, helpdesk.SortDue),
	}
}

// sortAttr is the attribute holding a ticket's key in a sort.
// legacySortKey is the sort key of ticket id written before attr was kept:
// only vDue, added with SLAs, whose absence means no due date (the item
// gains it on the ticket's next change). Any other key is always written.
func legacySortKey(attr, id string) (string, bool) {
	if attr == "vDue" {
		return helpdesk.NoDueKey + "#" + id, true
	}
	return "", false
}

func sortAttr(by string) string {
	switch by {
	case helpdesk.SortUpdated:
		return "vUpdated"
	case helpdesk.SortLastCustomerMessage:
		return "vLastCustomer"
	case helpdesk.SortPriority:
		return "vPriority"
	case helpdesk.SortDue:
		return "vDue"
	}
	return "vCreated"
}

// filteredPK is the one partition of the filtered mail: auto-replies,
// bounces, bulk mail, loops and unreadable mail, a few hundred a day at
// most (a partition takes 1,000 writes a second), listed newest first by
// one Query. Keyed by when SES received it and SES's id, so a redelivery
// of the same mail (Lambda retrying the SES event) is the same item.
const filteredPK = "FILTERED"

func filteredSK(received time.Time, sesID string) string {
	return sortTime(received) + "#" + boundedKey(sesID)
}

// submissionPK keys a form submission's content fingerprint (channel id +
// hash, see form.Fingerprint).
func submissionPK(key string) string { return "SUBMISSION#" + key }

// numberPK holds the ticket number reserved for one inbound message (its
// dedupe key), so a retry of the message reuses the number (numbers.go).
func numberPK(dedupeKey string) string { return "NUMBER#" + boundedKey(dedupeKey) }

const skNumber = "NUMBER"

// Blocked senders: BLOCKED#<sender key> / BLOCKED, listed on GSI3
// BLOCKED / <blocked at>#<sender key> (newest last).
const (
	skBlocked   = "BLOCKED"
	listBlocked = "BLOCKED"
)

func blockedPK(senderKey string) string { return "BLOCKED#" + boundedKey(senderKey) }
func blockedKeys(b helpdesk.BlockedSender) keyAttrs {
	return keyAttrs{PK: blockedPK(b.Key), SK: skBlocked, GSI3PK: listBlocked, GSI3SK: sortTime(b.BlockedAt) + "#" + b.Key}
}

// The customer portal (portal.go), every item expiring by TTL:
//
//	portal grant    PORTALGRANT#<sha256 of secret>   PORTALGRANT    (a link token or code, single use)
//	portal session  PORTALSESSION#<sha256 of id>     PORTALSESSION  (revocable)
//	rate counter    RATE#<scope>#<window start>       RATE           (requests in one window)
const (
	skPortalGrant   = "PORTALGRANT"
	skPortalSession = "PORTALSESSION"
	skRate          = "RATE"
)

func portalGrantPK(hash string) string   { return "PORTALGRANT#" + hash }
func portalSessionPK(hash string) string { return "PORTALSESSION#" + hash }
func ratePK(scope string, window time.Time) string {
	return "RATE#" + boundedKey(scope) + "#" + sortTime(window)
}

// Satisfaction ratings (csat.go): one item per rated ticket, its own
// partition (so rating never touches the ticket's items), listed by when it
// was rated in one GSI3 partition the report queries by period.
//
//	rating          CSAT#<ticket id>          CSAT                       GSI3: CSATS / <ratedAt>#<ticket id>
const (
	skRating    = "CSAT"
	listRatings = "CSATS"
)

func ratingPK(ticketID string) string { return "CSAT#" + ticketID }
func ratingListSK(ratedAt time.Time, ticketID string) string {
	return sortTime(ratedAt) + "#" + ticketID
}

// Customer notification opt-outs (issue 14): OPTOUT#<contact id> / OPTOUT,
// one item per contact holding the kinds they unsubscribed from (a string
// set), read with one GetItem when a notification is decided.
const skOptOut = "OPTOUT"

func optOutPK(contactID string) string { return "OPTOUT#" + boundedKey(contactID) }

// The portal's read side (i14-portalreads): when a contact last looked at
// their tickets in the portal (the help button's badge counts agent replies
// after it). One small item per contact, rewritten on each visit.
//
//	portal visit    PORTALVISIT#<contact id>  PORTALVISIT
const skPortalVisit = "PORTALVISIT"

func portalVisitPK(contactID string) string { return "PORTALVISIT#" + boundedKey(contactID) }

// ticketOfTermsPK reads a ticket's terms record key back (termsPK).
func ticketOfTermsPK(pk string) (string, bool) {
	id, ok := strings.CutPrefix(pk, "TERMS#")
	return id, ok && id != ""
}

// The SLA sweep's due-date index (issue 15, slacheck.go): GSI6, sparse and
// keys only. A ticket is in it while its SLA has a check to make
// (helpdesk.SLA.NextCheckAt not zero), in one of slaCheckShards
// partitions, sorted by when the check is due:
//
//	ticket          TICKET#<id>               TICKET        GSI6: SLACHECK#<shard> / <nextCheckAt>#<id>
//
// The shard is a hash of the ticket id, so a ticket stays in its shard and
// only its sort key moves. The sweep queries every shard each minute for
// the keys at or before now. Changing slaCheckShards strands the entries
// of shards no longer queried: raise it only with a re-write of the
// tickets in the index.
const (
	IndexSLACheck  = "GSI6"
	slaCheckShards = 4
)

// SLACheckShards is how many partitions the sweep queries each run (for
// the cost figures).
const SLACheckShards = slaCheckShards

func slaCheckPK(shard int) string { return "SLACHECK#" + strconv.Itoa(shard) }

// slaShard places a ticket in a shard (FNV-1a of its id).
func slaShard(id string) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % slaCheckShards)
}

func slaCheckSK(at time.Time, id string) string { return sortTime(at) + "#" + id }

// slaDueBound is the greatest sort key due at now: every "<now>#<id>"
// sorts before it ('$' follows '#'), every later time after it.
func slaDueBound(now time.Time) string { return sortTime(now) + "$" }

// SLA outcomes (issue 15, slaoutcome.go): one item per decided target, in
// the ticket's own outcome partition (so the purge removes them with one
// Query), listed by when the outcome was recorded in one GSI3 partition the
// report queries by period. One partition is enough at SLA rates: a few
// outcomes per ticket, far below a partition's 1,000 writes a second.
//
//	sla outcome     SLAOUT#<ticket id>        <kind>#<started unix ms>   GSI3: SLAOUTS / <recordedAt>#<ticket id>#<kind>
const listSLAOutcomes = "SLAOUTS"

func slaOutcomePK(ticketID string) string { return "SLAOUT#" + ticketID }
func slaOutcomeSK(kind helpdesk.SLATargetKind, started time.Time) string {
	return string(kind) + "#" + strconv.FormatInt(started.UnixMilli(), 10)
}
func slaOutcomeListSK(o helpdesk.SLAOutcome) string {
	return sortTime(o.RecordedAt) + "#" + o.TicketID + "#" + string(o.Kind)
}
