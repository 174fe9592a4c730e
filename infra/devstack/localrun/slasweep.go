package localrun

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/slasweep"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/wire"
)

// slaSweep is the sla-sweep function run locally (issue 15): its service
// exactly as wire.SLASweep builds it, on the runner's clock, invoked with
// the schedule's input from the template, on a ticker (AWS: every minute)
// and on POST /local/sla/sweep.
type slaSweep struct {
	svc      *slasweep.Service
	schedule json.RawMessage
}

func newSLASweep(tpl *stacktemplate.Template, c wire.SLASweepConfig, awsCfg aws.Config, cfg Config) (*slaSweep, error) {
	schedule, err := tpl.ScheduleInput("SLASweepFunction", "EveryMinute")
	if err != nil {
		return nil, err
	}
	svc, err := wire.SLASweep(c, awsCfg, cfg.Log)
	if err != nil {
		return nil, err
	}
	svc.Now = cfg.now // the runner's clock, which tests move to a due date
	return &slaSweep{svc: svc, schedule: schedule}, nil
}

// SLASweep is the local sla-sweep's service: tests may set its Checker.
func (r *Runner) SLASweep() *slasweep.Service { return r.sla.svc }

// SweepSLA runs one SLA sweep now, as EventBridge Scheduler invokes the
// function, and answers how many tickets it checked.
func (r *Runner) SweepSLA(ctx context.Context) (int, error) {
	c := &slaCount{Service: r.sla.svc}
	err := lambdax.ScheduledHandler(c, r.cfg.Log)(ctx, r.sla.schedule)
	return c.n, err
}

// slaCount keeps the run's count for the caller (the handler only logs it).
type slaCount struct {
	*slasweep.Service
	n int
}

func (c *slaCount) Sweep(ctx context.Context) (int, error) {
	n, err := c.Service.Sweep(ctx)
	c.n = n
	return n, err
}

// slaSweepEvery is the local schedule: AWS's minute.
const slaSweepEvery = time.Minute

// slaSweeps runs the sweep every slaSweepEvery until ctx ends.
func (r *Runner) slaSweeps(ctx context.Context) {
	r.every(ctx, slaSweepEvery, false, "SLA sweep", func(ctx context.Context) error {
		_, err := r.SweepSLA(ctx)
		return err
	})
}

// sweepSLA is POST /local/sla/sweep: the sweep, now.
func (r *Runner) sweepSLA(w http.ResponseWriter, req *http.Request) {
	n, err := r.SweepSLA(req.Context())
	if err != nil {
		httpjson.Error(w, req, r.cfg.Log, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]int{"checked": n})
}
