// Command local runs the whole stack on this machine against the emulators
// that infra/emulators.sh started (`make run` does both).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address of the local webhook endpoints (loopback only)")
	smtpAddr := flag.String("smtp", "127.0.0.1:2525", "address of the local SMTP listener that delivers mail as SES would")
	prefix := flag.String("prefix", "stackdesk-local", "name prefix of the local table, queues and bucket")
	demoAddr := flag.String("demo-addr", "127.0.0.1:8081", "address of a demo tenant website embedding the help button (another origin than the portal)")
	sweep := flag.Duration("spam-sweep", time.Hour, "how often spam-cleanup sweeps expired spam (also once at start; make spam-sweep runs it now)")
	flag.Parse()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("tenant", "demo")
	if err := run(*addr, *smtpAddr, *demoAddr, *prefix, *sweep, log); err != nil {
		log.Error("local stack failed", "error", err)
		os.Exit(1)
	}
}

// localReplySecret signs reply tokens of the local stack only; a deployed
// stack generates its own in Secrets Manager.
var localReplySecret = []byte("local-development-reply-token-secret")

func run(addr, smtpAddr, demoAddr, prefix string, sweep time.Duration, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	consoleDir, err := localrun.ConsoleDist() // built by `make web` (make run does it)
	if err != nil {
		return err
	}
	r, err := localrun.New(ctx, awsCfg, localrun.Config{Prefix: prefix, Tenant: "demo", ReplyTokenSecret: localReplySecret,
		Log: log, RetryDelay: 5 * time.Second, SpamSweepEvery: sweep, ConsoleDir: consoleDir,
		PortalURL: "http://" + addr})
	if err != nil {
		return err
	}
	defer r.Close()
	demo, err := r.Seed(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	smtpLn, err := net.Listen("tcp", smtpAddr)
	if err != nil {
		return err
	}
	mail := r.ServeSMTP(smtpLn)
	defer mail.Close()
	srv := &http.Server{Handler: r.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go r.Poll(ctx)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	base := "http://" + ln.Addr().String()
	fmt.Printf(`
Stackdesk is running locally (Ctrl-C stops it and the emulators).

  console      %s/   sign in as %s (admin), %s or %s (agents), password %q

  table        %s
  ingest queue %s
  form webhook %s/forms/%s   (unsigned)
               %s/forms/%s    (HMAC-SHA256, secret %q, header X-Stackdesk-Signature)
  tickets      %s/local/tickets   and   %s/local/tickets/{id}
  team email   %s at smtp://%s (stored in the bucket, then email-inbound, as SES does)
  messenger    %s/messenger   (page %s; app secret %q, verify token %q)
  whatsapp     %s/whatsapp    (phone number id %s; same app secret and verify token)
  graph api    %s   (a local fake of Meta's Graph API; what it accepted: %s/local/graph/sent)

Create a ticket:

  curl -i -X POST %s/forms/%s \
    -H 'Content-Type: application/json' \
    -d '{"email":"ann@example.com","name":"Ann","subject":"My order is late","description":"Order 1042 has not arrived.","plan":"pro"}'

  curl -s %s/local/tickets

Write in by mail (make mail needs only Go; any SMTP client works too):

  make mail SMTP=%s TO=%s FROM='Ann Lee <ann@example.com>' SUBJECT='Printer on fire' BODY='Help!'

Agents' notification emails come from %s; what moto's SES accepted:

  curl -s %s/moto-api/data.json   ("ses" -> "RawMessage")

What failed for good: make dlq

Spam past its 90 days is purged by spam-cleanup's sweep (at start, then every %s): make spam-sweep runs it now.

Deliver a Messenger message as Meta does (signed with the app secret), then see the
greeting and instant reply the stack sent back:

  body=$(sed "s/\"timestamp\": [0-9]*/\"timestamp\": $(date +%%s000)/" shared/channel/meta/testdata/messenger_text.json)
  sig=$(printf '%%s' "$body" | openssl dgst -sha256 -hmac %s | sed 's/^.* //')
  curl -i -X POST %s/messenger -H 'Content-Type: application/json' \
    -H "X-Hub-Signature-256: sha256=$sig" --data-binary "$body"
  curl -s %s/local/graph/sent

Sign in to the agent API as the demo admin (bob@ and chloe@acme.example are agents
of the Support team; every demo password is %q) and list a view:

  token=$(curl -s -X POST %s/local/token -d '{"email":"%s","password":"%s"}' \
    | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
  curl -s %s/api/me -H "Authorization: Bearer $token"
  curl -s %s/api/views/all_open/tickets -H "Authorization: Bearer $token"
  curl -s %s/api/openapi.yaml      (the API's contract)

`, base, demo.AgentEmails[0], demo.AgentEmails[1], demo.AgentEmails[2], demo.Password,
		r.Stack.TableName, r.Stack.QueueURLs["IngestQueue"], base, demo.FormChannelID, base, demo.SignedChannelID,
		demo.SignedSecret, base, base, demo.EmailAddress, smtpLn.Addr(), base, demo.PageID, demo.MetaAppSecret, demo.MetaVerifyToken, base, demo.PhoneNumberID, r.Graph.URL, base,
		base, demo.FormChannelID, base, smtpLn.Addr(), demo.EmailAddress, demo.NotificationSender, sesEndpoint(), sweep, demo.MetaAppSecret, base, base,
		demo.Password, base, demo.AgentEmails[0], demo.Password, base, base, base)
	// The customer portal, and a tenant's website on another origin with the
	// help button's script tag.
	demoLn, err := net.Listen("tcp", demoAddr)
	if err != nil {
		return err
	}
	demoSrv := &http.Server{Handler: localrun.DemoSite(base), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = demoSrv.Serve(demoLn) }()
	defer demoSrv.Close()
	fmt.Printf(`Customer portal (passwordless: the sign-in mail goes through the outbound queue to moto's SES):

  portal       %s%s   (write in first, e.g. make mail FROM=ann@example.com, then sign in as ann@example.com;
               the link and code are in %s/moto-api/data.json, "ses" -> "RawMessage")
  help button  <script src="%s%shelp.js" async></script>
  demo site    http://%s/demo-site.html   (another origin, with that tag)

`, base, localrun.PortalPath, sesEndpoint(), base, localrun.PortalPath, demoLn.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sesEndpoint is where the emulator serves SES (and moto's own API).
func sesEndpoint() string {
	if ep := os.Getenv("AWS_ENDPOINT_URL_SESV2"); ep != "" {
		return strings.TrimSuffix(ep, "/")
	}
	return "http://127.0.0.1:5000"
}
