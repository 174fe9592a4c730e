// Command dlq lists what is in each dead-letter queue of the local stack
// (`make dlq`): the queues come from template.yaml, the endpoints from the
// emulator environment `make run` wrote.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
)

func main() {
	prefix := flag.String("prefix", "stackdesk-local", "name prefix of the local stack (as `make run` was given)")
	peek := flag.Int("n", 20, "messages to show per queue")
	flag.Parse()
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	qs, err := localrun.DeadLetters(ctx, sqs.NewFromConfig(cfg), *prefix, *peek)
	if err != nil {
		fmt.Fprintln(os.Stderr, "dead-letter queues:", err)
		os.Exit(1)
	}
	for _, q := range qs {
		if q.Missing {
			fmt.Printf("%-18s not created (start the stack with `make run`)\n", q.LogicalID)
			continue
		}
		fmt.Printf("%-18s %d message(s)   %s\n", q.LogicalID, q.Count, q.Name)
		for _, m := range q.Messages {
			fmt.Printf("    %s\n", m)
		}
	}
}
