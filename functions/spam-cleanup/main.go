// Command spam-cleanup deletes what is left of spam tickets: from the
// table's stream, the remains of what DynamoDB's TTL removed (files in the
// bucket, search terms, thread keys, notifications); daily, the spam
// tickets whose 90 days have passed and that TTL has not removed yet.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.SpamCleanup, lambdax.SpamCleanupHandler) }
