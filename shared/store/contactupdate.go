package store

import (
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/ticket"
)

// contactUpdateItems adds a change's contact edit: the contact conditioned
// on the version read, each new lookup key free or the contact's already.
// It returns the contact's index (-1 without an edit) and the range of
// the keys'.
func (s *Store) contactUpdateItems(b *txBuilder, u *ticket.ContactUpdate) (at, keysFrom, keysTo int) {
	if u == nil {
		return -1, len(b.items), len(b.items)
	}
	at = b.put(contactItem{keyAttrs: contactKeys(u.After), Contact: u.After},
		"attribute_exists(PK) AND (attribute_not_exists(#ver) OR #ver = :ver)",
		map[string]types.AttributeValue{":ver": versionValue(u.Before.Version)})
	if b.err == nil {
		b.items[at].Put.ExpressionAttributeNames = map[string]string{"#ver": attrVersion}
	}
	keysFrom = len(b.items)
	me := map[string]types.AttributeValue{":me": &types.AttributeValueMemberS{Value: u.After.ID}}
	for _, k := range u.Keys {
		b.put(contactKeyItem{keyAttrs: keyAttrs{PK: contactKeyPK(k), SK: skContactKey}, Key: k, ContactID: u.After.ID},
			"attribute_not_exists(PK) OR contactId = :me", me)
	}
	return at, keysFrom, len(b.items)
}
