package localrun

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk"
	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
)

// StackNames are the names of a local stack's table, mail bucket and
// ingest queue, as emulate.Provision made them under a prefix.
type StackNames struct {
	Table, MailBucket, IngestQueueURL string
}

// Names finds the resources of the local stack created under prefix (by
// `make run`), from template.yaml: the ingest queue must exist.
func Names(ctx context.Context, client *sqs.Client, prefix string) (StackNames, error) {
	n := StackNames{Table: prefix + "-table", MailBucket: strings.ToLower(prefix + "-MailBucket")}
	tpl, err := stacktemplate.Parse(stackdesk.Template)
	if err != nil {
		return n, err
	}
	queues, err := tpl.Queues()
	if err != nil {
		return n, err
	}
	for _, q := range queues {
		if q.LogicalID != "IngestQueue" {
			continue
		}
		name := prefix + "-" + q.LogicalID // as emulate.Provision names it
		if q.FIFO {
			name += ".fifo"
		}
		out, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name})
		var missing *sqstypes.QueueDoesNotExist
		if errors.As(err, &missing) {
			return n, fmt.Errorf("no queue %s: start the stack with `make run` (or give the names)", name)
		}
		if err != nil {
			return n, fmt.Errorf("queue %s: %w", name, err)
		}
		n.IngestQueueURL = aws.ToString(out.QueueUrl)
		return n, nil
	}
	return n, errors.New("template.yaml declares no IngestQueue")
}
