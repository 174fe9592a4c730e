package helpdesk

import "time"

// PortalGrant is one passwordless way into the customer portal: a mailed
// link token or a mailed code, stored under the hash of its secret (never
// the secret), good once and until ExpiresAt.
type PortalGrant struct {
	ContactID string    `dynamodbav:"contactId" json:"contact_id"`
	Kind      string    `dynamodbav:"kind" json:"kind"` // "link" or "code"
	CreatedAt time.Time `dynamodbav:"createdAt" json:"created_at"`
	ExpiresAt time.Time `dynamodbav:"expiresTime" json:"expires_at"`
}

// PortalSession is a customer's signed-in session, stored under the hash
// of its opaque id so it can be revoked; it ends at ExpiresAt.
type PortalSession struct {
	ContactID string    `dynamodbav:"contactId" json:"contact_id"`
	CreatedAt time.Time `dynamodbav:"createdAt" json:"created_at"`
	ExpiresAt time.Time `dynamodbav:"expiresTime" json:"expires_at"`
}
