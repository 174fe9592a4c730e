# Stackdesk. `make run` starts the stack locally; `make test` runs every test.
# Both install what is missing (emulators, SAM CLI) on the first run; make test
# also Debian's Chromium and axe-core for the browser tests (infra/chromium.sh).

SHELL := /bin/bash
.DEFAULT_GOAL := help

export SAM_CLI_TELEMETRY := 0
export AWS_REGION ?= us-east-1

EMULATORS := infra/emulators.sh
ENV_FILE  := .cache/emulators.env
# Load the emulator endpoints (written by `emulators.sh start`) into a recipe.
WITH_ENV  := set -a; source $(ENV_FILE); set +a;
# Start the emulators for one recipe; stop them after unless they were
# already up (a `make run` in another terminal) or KEEP_EMULATORS is set.
WITH_EMULATORS := up=$$($(EMULATORS) status | grep -c ': up' || true); $(EMULATORS) start >/dev/null; \
  trap '[ "$$up" = 2 ] || [ -n "$$KEEP_EMULATORS" ] || $(EMULATORS) stop' EXIT; $(WITH_ENV)

# Every function: SAM logical id -> functions/<dir>.
FUNCTIONS := FormWebhookFunction:form-webhook MessengerWebhookFunction:meta-webhook WhatsAppWebhookFunction:meta-webhook RouterFunction:router EmailInboundFunction:email-inbound OutboundFunction:outbound OutboxRelayFunction:outbox-relay AgentApiFunction:agent-api SearchIndexerFunction:search-indexer SpamCleanupFunction:spam-cleanup CsatPageFunction:csat-page PortalApiFunction:portal-api UnsubscribeFunction:unsubscribe SLASweepFunction:sla-sweep

GO_LAMBDA_FLAGS := -tags lambda.norpc -trimpath -ldflags='-s -w'
# Output per SAM logical id (meta-webhook is built for two functions).
ARTIFACTS_DIR ?= bin/$(1)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: run
run: web ## start emulators, create resources, seed a demo tenant, serve the console and webhooks on localhost
	@$(WITH_EMULATORS) go run ./infra/local

.PHONY: mail
mail: ## send a test mail into the running `make run`: make mail FROM=ann@example.com SUBJECT='Printer on fire' BODY='Help!' (TO=, FILE=x.eml)
	@go run ./infra/local/mail

.PHONY: dlq
dlq: ## list what is in each dead-letter queue of the running `make run` stack
	@test -f $(ENV_FILE) || { echo 'no emulators running: start the stack with make run'; exit 1; }
	@$(WITH_ENV) go run ./infra/local/dlq

.PHONY: redrive
redrive: ## redrive the Meta deliveries kept for pages/numbers not served, once their channels exist (DAY=2026-11-30, DRY_RUN=1)
	@test -f $(ENV_FILE) || { echo 'no emulators running: start the stack with make run'; exit 1; }
	@$(WITH_ENV) DAY='$(DAY)' DRY_RUN='$(DRY_RUN)' go run ./infra/redrive

.PHONY: spam-sweep
spam-sweep: ## run spam-cleanup's sweep now in the running `make run` (it also runs at start and hourly; ADDR=127.0.0.1:8080)
	@curl -sSf -X POST http://$${ADDR:-127.0.0.1:8080}/local/spam-cleanup/sweep

.PHONY: sla-sweep
sla-sweep: ## run sla-sweep now in the running `make run` (it also runs every minute; ADDR=127.0.0.1:8080)
	@curl -sSf -X POST http://$${ADDR:-127.0.0.1:8080}/local/sla/sweep

.PHONY: test
test: web ## unit + integration tests against DynamoDB Local and moto, the console in Chromium and its unit tests, template checks
	@bash infra/chromium.sh
	@$(WITH_EMULATORS) STACKDESK_REQUIRE_EMULATORS=1 STACKDESK_REQUIRE_BROWSER=1 STACKDESK_REQUIRE_CONSOLE=1 go test -count=1 -race -timeout 20m ./... && $(MAKE) --no-print-directory web-test validate

# The agent console (web/): npm ci when the lock changed, vite build when a
# source (or the agent API's OpenAPI, its types' source) is newer than dist.
WEB_SRC := $(shell find web/src web/public web/scripts -type f 2>/dev/null) web/index.html web/vite.config.ts \
  web/tsconfig.json web/package.json shared/api/agent/openapi.yaml \
  web/portal/index.html web/vite.portal.config.ts web/vite.help.config.ts shared/api/portal/openapi.yaml

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

.PHONY: web
web: web/dist/index.html ## build the agent console into web/dist and the customer portal and help.js into web/dist/portal (skipped when up to date)

.PHONY: web-test
web-test: web/node_modules/.package-lock.json ## the console's unit tests (vitest) and its generated API types' freshness
	cd web && npm test

.PHONY: bench
bench: web ## benchmarks against DynamoDB Local (write units per ticket, handler cost) and the console in Chromium
	@bash infra/chromium.sh
	@$(WITH_EMULATORS) STACKDESK_REQUIRE_EMULATORS=1 STACKDESK_REQUIRE_BROWSER=1 STACKDESK_REQUIRE_CONSOLE=1 go test -run '^$$' -bench . -benchmem -count $${COUNT:-1} ./... | tee bench.txt

# One API's schemathesis run (infra/devstack/fuzzapi): $(1) the Go test, $(2) its package, $(3) more environment.
FUZZ_RUN = @$(WITH_EMULATORS) STACKDESK_REQUIRE_EMULATORS=1 STACKDESK_FUZZ_EXAMPLES=$${STACKDESK_FUZZ_EXAMPLES:-200} $(3) \
  go test -count=1 -timeout 60m -run '^$(1)$$' ./$(2)/

.PHONY: fuzz-api
fuzz-api: ## schemathesis against the agent API with STACKDESK_FUZZ_EXAMPLES cases per operation (default 200)
	$(call FUZZ_RUN,TestAgentAPIFuzzedFromItsOpenAPIDocument,infra/devstack/localrun)

.PHONY: fuzz-portal
fuzz-portal: ## schemathesis against the customer portal's API (signed in and out), STACKDESK_FUZZ_EXAMPLES cases per operation (default 200)
	$(call FUZZ_RUN,TestPortalAPIFuzzedFromItsOpenAPIDocument,infra/devstack/portalfuzz,STACKDESK_FUZZ_PARTIAL=1)

.PHONY: fuzz
fuzz: ## run every fuzz target for FUZZTIME each (default 20s)
	@for t in $$(grep -rl --include='*_test.go' '^func Fuzz' shared | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$t/*_test.go | cut -c6-); do \
	    echo "== $$t $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $${FUZZTIME:-20s} ./$$t || exit 1; \
	  done; done

.PHONY: vet
vet: ## gofmt and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt needed'; exit 1; }
	go vet ./...

.PHONY: lint
lint: vet ## gofmt, go vet, cfn-lint
	cfn-lint template.yaml

.PHONY: validate
validate: vet ## gofmt, go vet, sam validate (the SAM transform) and sam validate --lint (cfn-lint)
	@command -v sam >/dev/null || $(EMULATORS) install
	sam validate --region $(AWS_REGION)
	sam validate --lint --region $(AWS_REGION)

.PHONY: build
build: ## sam build: every function as an arm64 bootstrap
	@command -v sam >/dev/null || $(EMULATORS) install
	sam build --build-in-source

.PHONY: deploy-console
deploy-console: ## build web/ and publish it with the stack's config.json to a deployed stack: make deploy-console STACK=stackdesk-acme
	@test -n "$(STACK)" || { echo 'usage: make deploy-console STACK=<stack name>'; exit 1; }
	npm --prefix web ci && npm --prefix web run build
	@# The region default above is for the emulators: a deployed stack is found in the operator's own region.
	$(if $(filter file,$(origin AWS_REGION)),env -u AWS_REGION) infra/deploy-console.sh '$(STACK)' web/dist

.PHONY: functions
functions: $(foreach f,$(FUNCTIONS),build-$(firstword $(subst :, ,$(f)))) ## build every bootstrap into bin/ without SAM

# SAM (BuildMethod: makefile) calls build-<LogicalId> with ARTIFACTS_DIR set.
# One recipe builds every function: a static linux/arm64 bootstrap.
define build_function
build-$(1):
	CGO_ENABLED=0 GOOS=linux GOARCH=arm64 go build $(GO_LAMBDA_FLAGS) -o $$(call ARTIFACTS_DIR,$(1))/bootstrap ./functions/$(2)
endef
$(foreach f,$(FUNCTIONS),$(eval $(call build_function,$(firstword $(subst :, ,$(f))),$(lastword $(subst :, ,$(f))))))

.PHONY: clean
clean: ## remove build output and stop emulators
	-@$(EMULATORS) stop
	rm -rf .aws-sam bin bench.txt
