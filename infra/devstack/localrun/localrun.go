// Package localrun runs a tenant stack on this machine: resources created on
// the emulators from template.yaml, a seeded demo tenant, the real webhook
// handlers on a local HTTP server and the real router fed from the real
// ingest queue. `make run` and the end-to-end tests both use it.
package localrun

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	ciptypes "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk"
	"github.com/stackdesk/stackdesk/infra/devstack/emulate"
	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/api/auth"
	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/api/portal"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/platform/secrets"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/wire"
)

// Config of a local stack.
type Config struct {
	Prefix string // resource name prefix, e.g. "stackdesk-local"
	Tenant string // loop-header value of the tenant's outbound mail
	// ReplyTokenSecret signs the reply-to addresses of outbound mail.
	ReplyTokenSecret []byte
	Log              *slog.Logger
	// RetryDelay is how soon a record the router failed becomes visible
	// again. AWS waits for the queue's visibility timeout (180 s), which is
	// needlessly slow locally; a negative value keeps that behaviour.
	RetryDelay time.Duration
	// VisibilityTimeout, when set, overrides the queue's on each receive, so a
	// receive whose response is lost on the way (the records stay hidden)
	// costs seconds rather than the queue's 180 s. Zero keeps the queue's.
	VisibilityTimeout time.Duration
	// NotificationSender is the address agents' notification emails come
	// from (DefaultNotificationSender if empty); Seed verifies it in SES.
	NotificationSender string
	// Now is the clock of the scheduled work the local stack runs:
	// spam-cleanup's sweep and purge (time.Now if nil), so tests can move
	// past a spam ticket's 90 days. The other functions read time.Now.
	Now func() time.Time
	// SpamSweepEvery is how often spam-cleanup sweeps (once at start, then
	// this often; 0: hourly). AWS sweeps daily; TTL, which DynamoDB Local
	// never runs, does the rest there.
	SpamSweepEvery time.Duration
	// ConsoleDir, when set, is the built agent console (web/dist, see
	// ConsoleDist) served at / (console.go); /config.json and the Cognito
	// proxy are served either way.
	ConsoleDir string
	// PortalURL is the local stack's origin as customers reach it (e.g.
	// http://127.0.0.1:8080): the sign-in links point at its /portal/.
	// The customer notices link to the portal, the survey and /unsubscribe there.
	PortalURL string
}

// Runner is a running local stack.
type Runner struct {
	Stack  *emulate.Stack
	Store  *store.Store
	Forms  *webhook.Forms
	Router *ingest.Service
	Mail   *receive.Handler
	// Messenger and WhatsApp are Meta's webhooks; Outbound sends replies
	// (SES on moto, Messenger and WhatsApp on Graph, the fake Graph API).
	Messenger *webhook.Meta
	WhatsApp  *webhook.Meta
	Outbound  *send.Sender
	// Relay publishes outbox jobs a committer left behind.
	Relay *outbox.Relay
	// Agent is the agent API, signed in with the stack's user pool on moto.
	Agent *agent.API
	// Unsubscribe is the customer notification emails' link (issue 14);
	// set Outbound.CustomerLinks.Unsubscribe to where it is served.
	Unsubscribe *webhook.Unsubscribe
	spam        *spamCleanup // spam-cleanup and its event sources (spamcleanup.go)
	cognito     *cip.Client
	pool        string
	client      string
	Graph       *graphfake.Fake
	graphStop   func()
	secrets     *secretsmanager.Client
	sqs         *sqs.Client
	s3          *s3.Client
	ses         *sesv2.Client // verifies the demo senders (ses.go)
	cfg         Config
	handler     http.Handler

	// Portal is the customer portal's API (portal.go), at /portal/api/.
	Portal *portal.API
	sla    *slaSweep // sla-sweep (slasweep.go)
}

// New provisions the stack's resources and wires the real handlers to them.
func New(ctx context.Context, awsCfg aws.Config, cfg Config) (*Runner, error) {
	tpl, err := stacktemplate.Parse(stackdesk.Template)
	if err != nil {
		return nil, err
	}
	clients := emulate.NewClients(awsCfg)
	st, err := emulate.Provision(ctx, clients, tpl, cfg.Prefix)
	if err != nil {
		return nil, fmt.Errorf("provision local stack: %w", err)
	}
	db := store.New(clients.DynamoDB, st.TableName)
	fake := graphfake.New()
	// Messenger and WhatsApp sends and WhatsApp media downloads go to a
	// fake Graph API on a free loopback port.
	graphURL, graphStop, err := fake.Listen("127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("fake Graph API: %w", err)
	}
	// The functions, each built by its own constructor exactly as its Lambda
	// main builds it, configured for the emulated stack: shorter caches and
	// the fake Graph API.
	common := boot.Common{Tenant: cfg.Tenant, TableName: st.TableName}
	tenant := wire.Store{Common: common, SettingsTTL: time.Second}
	meta := wire.Meta{MetaConfig: secrets.MetaConfig{MetaSecretARN: st.Secrets["MetaSecret"]}, MetaSecretTTL: 2 * time.Second}
	graph := graphapi.Config{GraphAPIURL: graphURL, GraphAPIVersion: graphapi.DefaultVersion}
	ingestURL, outboundURL, bucket := st.QueueURLs["IngestQueue"], st.QueueURLs["OutboundQueue"], st.Buckets["MailBucket"]
	indexer, err := wire.SearchIndexer(wire.SearchIndexerConfig{Common: common}, awsCfg, cfg.Log)
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	var spam *spamCleanup // set below: the stream's records reach it once built
	awsCfg = withStream(awsCfg, indexer, func(ctx context.Context, params, result any) {
		if spam != nil {
			spam.removed(ctx, params, result)
		}
	}, cfg.Log) // every function below writes through the stand-in stream
	r := &Runner{Graph: fake, graphStop: graphStop, secrets: clients.SecretsManager, Stack: st, Store: db,
		sqs: clients.SQS, s3: clients.S3, cfg: cfg, ses: sesv2.NewFromConfig(awsCfg)}
	var errs [9]error
	r.Messenger, errs[0] = wire.MetaWebhook(wire.MetaWebhookConfig{Common: common, Meta: meta,
		Product: string(helpdesk.ChannelMessenger), IngestQueueURL: ingestURL, MailBucket: bucket, ChannelTTL: time.Second}, awsCfg, cfg.Log)
	r.WhatsApp, errs[1] = wire.MetaWebhook(wire.MetaWebhookConfig{Common: common, Meta: meta,
		Product: string(helpdesk.ChannelWhatsApp), IngestQueueURL: ingestURL, MailBucket: bucket, ChannelTTL: time.Second}, awsCfg, cfg.Log)
	r.Outbound, errs[2] = wire.Outbound(wire.OutboundConfig{Common: common, Meta: meta, Config: graph,
		ReplyTokenSecret: string(cfg.ReplyTokenSecret), MailBucket: bucket, NotificationSender: cfg.notificationSender()}, awsCfg, cfg.Log)
	r.Forms, errs[3] = wire.FormWebhook(wire.FormWebhookConfig{Store: tenant, IngestQueueURL: ingestURL, MailBucket: bucket}, awsCfg, cfg.Log)
	r.Router, errs[4] = wire.Router(wire.RouterConfig{Store: tenant, Meta: meta, Config: graph, OutboundQueueURL: outboundURL,
		ReplyTokenSecret: string(cfg.ReplyTokenSecret), MailBucket: bucket}, awsCfg, cfg.Log)
	r.Mail, errs[5] = wire.EmailInbound(wire.EmailInboundConfig{Common: common, IngestQueueURL: ingestURL,
		MailBucket: bucket, MailPrefix: "inbound/"}, awsCfg, cfg.Log)
	r.Relay, errs[6] = wire.OutboxRelay(wire.OutboxRelayConfig{Common: common, OutboundQueueURL: outboundURL,
		Grace: relayGrace}, awsCfg, cfg.Log)
	pool, client := st.UserPools["UserPool"], st.UserPoolClients["UserPoolClient"]
	r.Agent, errs[7] = wire.AgentAPI(wire.AgentAPIConfig{Store: tenant, Config: auth.Config{
		Issuer: "https://cognito-idp." + awsCfg.Region + ".amazonaws.com/" + pool, ClientID: client,
		// moto serves the keys itself; its tokens still name AWS as issuer.
		JWKSURL: cognitoEndpoint() + "/" + pool + "/.well-known/jwks.json"},
		OutboundQueueURL: outboundURL, ReplyTokenSecret: string(cfg.ReplyTokenSecret), MailBucket: bucket, UserPoolID: pool,
		IngestQueueURL: ingestURL, PortalSecretARN: st.Secrets["PortalSecret"], PortalLinkBase: PortalLinkBase(cfg.PortalURL)}, awsCfg, cfg.Log)
	r.cognito, r.pool, r.client = clients.Cognito, pool, client
	cleanup, err := wire.SpamCleanup(wire.SpamCleanupConfig{Common: common, MailBucket: bucket}, awsCfg, cfg.Log)
	if err == nil {
		cleanup.Now = cfg.now // the runner's clock, which tests move past the 90 days
		r.spam, errs[8] = newSpamCleanup(tpl, cleanup, cfg.Log)
		spam = r.spam
	}
	if err == nil { // the customer portal's API, exactly as portal-api builds it (its key: the stack's PortalSecret)
		r.Portal, err = wire.PortalAPI(wire.PortalAPIConfig{Store: tenant, OutboundQueueURL: outboundURL,
			PortalSecretARN: st.Secrets["PortalSecret"], PortalLinkBase: PortalLinkBase(cfg.PortalURL),
			IngestQueueURL: ingestURL, MailBucket: bucket}, awsCfg, cfg.Log)
	}
	if err == nil { // sla-sweep, on the runner's clock (slasweep.go)
		r.sla, err = newSLASweep(tpl, wire.SLASweepConfig{Store: tenant, OutboundQueueURL: outboundURL}, awsCfg, cfg)
	}
	if err == nil {
		r.Unsubscribe, err = wire.Unsubscribe(wire.UnsubscribeConfig{Common: common, ReplyTokenSecret: string(cfg.ReplyTokenSecret)}, awsCfg, cfg.Log)
	}
	if err := errors.Join(append(errs[:], err)...); err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	if cfg.PortalURL != "" { // the console and the portal post uploads from this origin (cors.go)
		if err := applyBucketCORS(ctx, clients.S3, tpl, bucket, cfg.PortalURL); err != nil {
			return nil, fmt.Errorf("local stack: %w", err)
		}
	}
	if base := strings.TrimSuffix(cfg.PortalURL, "/"); base != "" { // what the outbound function's env names in a stack
		r.Outbound.CustomerLinks = send.CustomerLinks{Unsubscribe: base + "/unsubscribe",
			Portal: base + PortalPath + "#/tickets/{id}", Survey: base + "/csat"}
	}
	mux := http.NewServeMux()
	r.Forms.Register(mux)
	r.Agent.Register(mux)
	// The satisfaction survey page (csat-page): GET and POST /csat.
	survey, err := wire.CSATPage(wire.CSATPageConfig{Common: common, ReplyTokenSecret: string(cfg.ReplyTokenSecret)}, awsCfg, cfg.Log)
	if err != nil {
		return nil, fmt.Errorf("local stack: %w", err)
	}
	survey.Register(mux)
	mux.HandleFunc("POST /local/token", r.token)
	r.Messenger.Register(mux)
	r.WhatsApp.Register(mux)
	mux.HandleFunc("GET /local/tickets", r.listTickets)
	mux.HandleFunc("GET /local/graph/sent", r.graphSent)
	mux.HandleFunc("GET /local/tickets/{id}", r.getTicket)
	mux.HandleFunc("POST /local/spam-cleanup/sweep", r.sweepSpam)
	mux.HandleFunc("POST /local/sla/sweep", r.sweepSLA)
	r.Unsubscribe.Register(mux)
	r.registerPortal(mux, cfg.ConsoleDir) // the customer portal: its API, pages and help.js
	if err := r.registerConsole(mux, awsCfg.Region, cfg.ConsoleDir); err != nil {
		return nil, fmt.Errorf("local stack: console: %w", err)
	}
	// Each request is bounded as the functions bound theirs (lambdax.Main):
	// a stalled emulator makes a webhook answer 503, not hang. The budget
	// is the agent API's (template.yaml), the largest of the functions.
	deadlines, bounded := boot.Deadlines{RequestBudget: localRequestBudget}, lambdax.Deadline(mux)
	r.handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		bounded.ServeHTTP(w, req.WithContext(lambdax.WithDeadlines(req.Context(), deadlines)))
	})
	return r, nil
}

// localRequestBudget bounds one request to the local stack (REQUEST_BUDGET).
const localRequestBudget = 13 * time.Second

// S3 is the runner's S3 client (the mail bucket).
func (r *Runner) S3() *s3.Client { return r.s3 }

// Handler serves the webhooks and the read-only local endpoints.
func (r *Runner) Handler() http.Handler { return r.handler }

// PollOnce receives one batch from the ingest queue, runs the router's Lambda
// handler on it exactly as the SQS event source would, and deletes the
// records the handler did not report as failed. It returns how many records
// it received.
func (r *Runner) PollOnce(ctx context.Context, wait time.Duration) (int, error) {
	return r.pollOnce(ctx, "IngestQueue", wait, lambdax.RouterHandler(r.Router, r.cfg.Log))
}

// PollOutboundOnce does the same for the outbound queue and the outbound
// function's handler.
func (r *Runner) PollOutboundOnce(ctx context.Context, wait time.Duration) (int, error) {
	return r.pollOnce(ctx, "OutboundQueue", wait, lambdax.OutboundHandler(r.Outbound, r.cfg.Log))
}

func (r *Runner) pollOnce(ctx context.Context, queueID string, wait time.Duration,
	handle func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)) (int, error) {
	url := r.Stack.QueueURLs[queueID]
	out, err := r.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    &url,
		MaxNumberOfMessages:         10,
		WaitTimeSeconds:             int32(wait / time.Second),
		VisibilityTimeout:           int32(r.cfg.VisibilityTimeout / time.Second),
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
	})
	if err != nil {
		return 0, fmt.Errorf("receive from %s: %w", queueID, err)
	}
	if len(out.Messages) == 0 {
		return 0, nil
	}
	ev := events.SQSEvent{}
	for _, m := range out.Messages {
		ev.Records = append(ev.Records, events.SQSMessage{
			MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body: aws.ToString(m.Body), Attributes: m.Attributes, EventSource: "aws:sqs",
			EventSourceARN: r.Stack.QueueARNs[queueID],
		})
	}
	resp, err := handle(ctx, ev)
	if err != nil {
		return len(ev.Records), err
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var errs []error
	for _, rec := range ev.Records {
		if failed[rec.MessageId] {
			if r.cfg.RetryDelay >= 0 {
				errs = append(errs, r.retryLater(ctx, url, rec.ReceiptHandle))
			}
			continue
		}
		_, err := r.sqs.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &url, ReceiptHandle: &rec.ReceiptHandle})
		errs = append(errs, err)
	}
	return len(ev.Records), errors.Join(errs...)
}

func (r *Runner) retryLater(ctx context.Context, url, handle string) error {
	_, err := r.sqs.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: &url, ReceiptHandle: &handle, VisibilityTimeout: int32(r.cfg.RetryDelay / time.Second),
	})
	return err
}

// Poll feeds the router and the outbound sender, runs the outbox relay
// every RelayEvery and spam-cleanup's sweep every SpamSweepEvery, until
// ctx ends.
func (r *Runner) Poll(ctx context.Context) {
	go r.poll(ctx, "outbound queue", r.PollOutboundOnce)
	go r.relay(ctx)
	go r.spamSweeps(ctx)
	go r.slaSweeps(ctx)
	r.poll(ctx, "ingest queue", r.PollOnce)
}

// relay sweeps the outbox on a schedule, as EventBridge runs outbox-relay.
func (r *Runner) relay(ctx context.Context) {
	r.every(ctx, relayEvery, false, "outbox relay", func(ctx context.Context) error {
		_, err := r.Relay.Sweep(ctx)
		return err
	})
}

// every runs job every d until ctx ends (first at once when now), as
// EventBridge Scheduler runs a scheduled function; a failure is logged
// and the next tick tries again.
func (r *Runner) every(ctx context.Context, d time.Duration, now bool, name string, job func(context.Context) error) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		if now {
			if err := job(ctx); err != nil && ctx.Err() == nil {
				r.cfg.Log.Error(name, "error", err)
			}
		}
		now = true
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// relayEvery and relayGrace are the local stack's relay schedule: shorter
// than the deployed minute, so a lost job shows up in seconds.
const (
	relayEvery = 5 * time.Second
	relayGrace = 5 * time.Second
)

func (r *Runner) poll(ctx context.Context, what string, once func(context.Context, time.Duration) (int, error)) {
	for ctx.Err() == nil {
		if _, err := once(ctx, 5*time.Second); err != nil && ctx.Err() == nil {
			r.cfg.Log.Error("poll "+what, "error", err)
			time.Sleep(time.Second)
		}
	}
}

// Close stops the fake Graph API.
func (r *Runner) Close() { r.graphStop() }

// graphSent lists what the fake Graph API accepted: the Messenger and
// WhatsApp messages the stack sent.
func (r *Runner) graphSent(w http.ResponseWriter, _ *http.Request) {
	httpjson.Write(w, http.StatusOK, r.Graph.Sent())
}

func (r *Runner) listTickets(w http.ResponseWriter, req *http.Request) {
	out := map[helpdesk.State][]map[string]any{}
	for _, s := range []helpdesk.State{helpdesk.StateOpen, helpdesk.StateClosed, helpdesk.StateSpam} {
		ts, err := r.Store.ListTickets(req.Context(), s, 50)
		if err == nil {
			out[s], err = r.localTickets(req.Context(), ts) // who wrote in, no zero times (tickets.go)
		}
		if err != nil {
			httpjson.Error(w, req, r.cfg.Log, err)
			return
		}
	}
	httpjson.Write(w, http.StatusOK, out)
}

func (r *Runner) getTicket(w http.ResponseWriter, req *http.Request) {
	conv, err := r.Store.GetTicket(req.Context(), req.PathValue("id"))
	if err != nil {
		httpjson.Error(w, req, r.cfg.Log, err)
		return
	}
	tk, err := r.localTickets(req.Context(), []helpdesk.Ticket{conv.Ticket})
	if err != nil {
		httpjson.Error(w, req, r.cfg.Log, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{"ticket": tk[0], "messages": conv.Messages, "activity": conv.Activities})
}

// cognitoEndpoint is where the emulator serves Cognito (and its keys).
func cognitoEndpoint() string {
	for _, v := range []string{"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER", "AWS_ENDPOINT_URL"} {
		if ep := os.Getenv(v); ep != "" {
			return strings.TrimSuffix(ep, "/")
		}
	}
	return "http://127.0.0.1:5000"
}

// token signs a demo user in with their email and password, as the
// console does with the user pool: POST /local/token {"email", "password"}
// answers the pool's tokens (local only: AWS has the hosted sign-in).
func (r *Runner) token(w http.ResponseWriter, req *http.Request) {
	var in struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := httpjson.ReadJSON(req, 4096, &in); err != nil {
		httpjson.Error(w, req, r.cfg.Log, err)
		return
	}
	out, err := r.cognito.AdminInitiateAuth(req.Context(), &cip.AdminInitiateAuthInput{
		UserPoolId: &r.pool, ClientId: &r.client, AuthFlow: ciptypes.AuthFlowTypeAdminUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": in.Email, "PASSWORD": in.Password},
	})
	if err != nil || out.AuthenticationResult == nil {
		httpjson.Error(w, req, r.cfg.Log, helpdesk.Errorf(helpdesk.EUnauthorised, "sign_in_failed", "wrong email or password"))
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]any{
		"access_token": aws.ToString(out.AuthenticationResult.AccessToken),
		"id_token":     aws.ToString(out.AuthenticationResult.IdToken),
		"expires_in":   out.AuthenticationResult.ExpiresIn,
	})
}
