package lambdax

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/stackdesk/stackdesk/shared/platform/boot"
)

// Main is every function's main: it loads the configuration C from the
// environment, builds the service with build (a shared/wire constructor)
// and starts Lambda with the handler adapt makes of it. A configuration
// that cannot be used stops the function at once, every problem logged.
func Main[C any, P interface {
	*C
	boot.Config
}, S, H any](build func(C, aws.Config, *slog.Logger) (S, error), adapt func(S, *slog.Logger) H) {
	var cfg C
	awsCfg, log := boot.Init(context.Background(), P(&cfg))
	svc, err := build(cfg, awsCfg, log)
	if err != nil {
		log.Error("bad configuration", "error", err)
		os.Exit(1)
	}
	// Every invocation starts from a context that carries the deadlines
	// (deadline.go), so each handler bounds its AWS calls by them.
	var d boot.Deadlines
	if t, ok := any(P(&cfg)).(interface{ Timeouts() boot.Deadlines }); ok {
		d = t.Timeouts()
	}
	lambda.StartWithOptions(adapt(svc, log), lambda.WithContextValue(deadlinesKey{}, d.Timeouts()))
}

// Routes is an HTTP surface that registers its routes on a mux.
type Routes interface {
	Register(mux *http.ServeMux)
}

// HTTPHandler serves r's routes to API Gateway (HTTP API, payload 2.0).
func HTTPHandler[R Routes](r R, _ *slog.Logger) any {
	mux := http.NewServeMux()
	r.Register(mux)
	return httpadapter.NewV2(Deadline(mux)).ProxyWithContext
}
