// Command redrive re-submits the Meta deliveries the webhooks kept for
// pages and numbers this stack did not serve (unknown-channel/<UTC date>/
// in the mail bucket), now that their channels may exist (`make redrive`).
// Each goes through the webhooks' own path after the signature check
// (webhook.Meta.Accept: decode, set aside what is still unserved, queue
// the rest); one wholly taken is moved under unknown-channel/redriven/, so
// a second run does not submit it again. A repeat would be harmless
// anyway: the FIFO ingest queue and the router's dedupe records apply each
// message once.
//
// Against the local stack it needs nothing: the emulator environment
// (.cache/emulators.env) and the names template.yaml gives under -prefix.
// Against a deployed stack give the names (flags, or the functions' env:
// TABLE_NAME, MAIL_BUCKET, INGEST_QUEUE_URL) and AWS credentials; try
// DRY_RUN=1 first.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/wire"
)

func main() {
	dry, _ := strconv.ParseBool(os.Getenv("DRY_RUN"))
	prefix := flag.String("prefix", "stackdesk-local", "name prefix of the local stack (as `make run` was given), when no names are given")
	table := flag.String("table", os.Getenv("TABLE_NAME"), "the stack's table (env TABLE_NAME)")
	bucket := flag.String("bucket", os.Getenv("MAIL_BUCKET"), "the stack's mail bucket (env MAIL_BUCKET)")
	queue := flag.String("queue-url", os.Getenv("INGEST_QUEUE_URL"), "the stack's ingest queue URL (env INGEST_QUEUE_URL)")
	day := flag.String("day", os.Getenv("DAY"), "only the deliveries kept on this UTC date, YYYY-MM-DD (env DAY); every day if empty")
	flag.BoolVar(&dry, "dry-run", dry, "list what would be done: read channels, queue and move nothing (env DRY_RUN=1)")
	verbose := flag.Bool("v", false, "log each delivery as the webhook does")
	flag.Parse()
	level := slog.LevelWarn + 4 // quiet: the table below says it all
	if *verbose {
		level = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	if err := run(*prefix, wire.RedriveConfig{Common: boot.Common{Tenant: os.Getenv("TENANT"), TableName: *table},
		IngestQueueURL: *queue, MailBucket: *bucket, DryRun: dry}, *day, log); err != nil {
		fmt.Fprintln(os.Stderr, "redrive:", err)
		os.Exit(1)
	}
}

func run(prefix string, c wire.RedriveConfig, day string, log *slog.Logger) error {
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	if c.TableName == "" && c.MailBucket == "" && c.IngestQueueURL == "" {
		n, err := localrun.Names(ctx, sqs.NewFromConfig(cfg), prefix)
		if err != nil {
			return err
		}
		c.TableName, c.MailBucket, c.IngestQueueURL = n.Table, n.MailBucket, n.IngestQueueURL
	}
	if c.TableName == "" || c.MailBucket == "" || c.IngestQueueURL == "" {
		return fmt.Errorf("give all three of -table, -bucket and -queue-url (or none, for the local stack)")
	}
	r, err := wire.Redrive(c, cfg, log)
	if err != nil {
		return err
	}
	mode := "redrive"
	if c.DryRun {
		mode = "dry run (nothing is queued or moved)"
	}
	where := webhook.UnknownChannelPrefix
	if day != "" {
		where += day + "/"
	}
	fmt.Printf("%s of s3://%s/%s into %s (channels from %s)\n\n", mode, c.MailBucket, where, c.IngestQueueURL, c.TableName)
	kept, err := r.Run(ctx, day)
	if err != nil {
		return err
	}
	return report(kept)
}

// report prints one line per kept delivery and a total; it fails when a
// delivery failed (run again: what was queued is deduped).
func report(kept []webhook.KeptDelivery) error {
	if len(kept) == 0 {
		fmt.Println("nothing kept: no delivery waits for a page or number")
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "DATE\tSIZE\tPRODUCT\tMESSAGES\tSTATUSES\tCHANNELS\tQUEUED\tOUTCOME")
	outcomes, failed := map[string]int{}, 0
	queued := 0
	for _, k := range kept {
		var chans []string
		for _, c := range k.Channels {
			if slices.Contains(k.Unserved, c) {
				c += " (not served)"
			}
			chans = append(chans, c)
		}
		outcome := k.Outcome
		if k.Err != nil {
			outcome += ": " + k.Err.Error()
		}
		if k.Outcome == webhook.RedriveFailed {
			failed++
		}
		fmt.Fprintf(w, "%s\t%d B\t%s\t%d\t%d\t%s\t%d\t%s\n", k.Day, k.Size, k.Product, k.Messages, k.Statuses,
			strings.Join(chans, ", "), k.Queued, outcome)
		outcomes[k.Outcome]++
		queued += k.Queued
	}
	_ = w.Flush()
	var parts []string
	for _, o := range []string{webhook.Redriven, webhook.WouldRedrive, webhook.Partly, webhook.WouldPartly, webhook.Waiting,
		webhook.Unreadable, webhook.RedriveFailed} {
		if outcomes[o] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", outcomes[o], o))
		}
	}
	fmt.Printf("\n%d kept: %s; %d messages and statuses queued\n", len(kept), strings.Join(parts, ", "), queued)
	if failed > 0 {
		return fmt.Errorf("%d failed and stay kept; run again (what was queued is deduped)", failed)
	}
	return nil
}
