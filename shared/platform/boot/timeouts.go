package boot

import (
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
)

// Deadlines bound every AWS call, so a stalled dependency fails a request
// (a webhook answers 503, the router's record goes back to the queue)
// instead of hanging it until Lambda kills the function with nothing
// logged. A zero field takes its default (Timeouts).
type Deadlines struct {
	// AWSCallTimeout bounds one HTTP attempt of an SDK call, from dialling
	// to the last byte of the response (the SDK retries within the
	// request's deadline).
	AWSCallTimeout time.Duration `env:"AWS_CALL_TIMEOUT" default:"5s"`
	// RequestBudget bounds an HTTP request as a whole: well inside API
	// Gateway's 29 s, so the caller hears "503, retry" from us.
	RequestBudget time.Duration `env:"REQUEST_BUDGET" default:"10s"`
	// DeadlineMargin is kept back from the invocation's remaining time,
	// to report what failed before Lambda's own timeout.
	DeadlineMargin time.Duration `env:"DEADLINE_MARGIN" default:"2s"`
}

// The defaults, for a Deadlines built in code (tests, the local stack).
const (
	DefaultAWSCallTimeout = 5 * time.Second
	DefaultRequestBudget  = 10 * time.Second
	DefaultDeadlineMargin = 2 * time.Second
)

// Timeouts returns d with its zero fields set to the defaults.
func (d Deadlines) Timeouts() Deadlines {
	if d.AWSCallTimeout <= 0 {
		d.AWSCallTimeout = DefaultAWSCallTimeout
	}
	if d.RequestBudget <= 0 {
		d.RequestBudget = DefaultRequestBudget
	}
	if d.DeadlineMargin <= 0 {
		d.DeadlineMargin = DefaultDeadlineMargin
	}
	return d
}

// WithTimeouts gives cfg an HTTP client whose every attempt is bounded by
// d.AWSCallTimeout (and whose connections are dialled within a part of it).
func WithTimeouts(cfg aws.Config, d Deadlines) aws.Config {
	d = d.Timeouts()
	dial := min(d.AWSCallTimeout, 2*time.Second)
	cfg.HTTPClient = awshttp.NewBuildableClient().
		WithTimeout(d.AWSCallTimeout).
		WithDialerOptions(func(nd *net.Dialer) { nd.Timeout = dial }).
		WithTransportOptions(func(t *http.Transport) {
			t.TLSHandshakeTimeout = dial
			t.ResponseHeaderTimeout = d.AWSCallTimeout
		})
	return cfg
}
