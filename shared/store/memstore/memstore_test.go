package memstore_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/store/storetest"
	"github.com/stackdesk/stackdesk/shared/ticket/tickettest"
)

// The in-memory store serves every port the DynamoDB store serves.
var (
	_ storetest.Store  = (*memstore.Store)(nil)
	_ ingest.Store     = (*memstore.Store)(nil)
	_ desk.Store       = (*memstore.Store)(nil)
	_ routing.Store    = (*memstore.Store)(nil)
	_ outbox.Pending   = (*memstore.Store)(nil)
	_ send.Store       = (*memstore.Store)(nil)
	_ settings.Source  = (*memstore.Store)(nil)
	_ tickettest.Store = (*memstore.Store)(nil)
)

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T, now func() time.Time) storetest.Store {
		return memstore.New(memstore.WithClock(now))
	})
}
