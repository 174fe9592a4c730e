// Package stackdesk is the module root. It embeds template.yaml so the test
// harness and the local runner build their tables and queues from the one
// definition that is deployed to AWS.
package stackdesk

import _ "embed"

// Template is the SAM template of one tenant stack.
//
//go:embed template.yaml
var Template []byte
