// Command search-indexer reads the table's stream and keeps the search
// index in step: each new message's words, each new or changed subject,
// each new or edited contact.
package main

import (
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() { lambdax.Main(wire.SearchIndexer, lambdax.SearchIndexerHandler) }
