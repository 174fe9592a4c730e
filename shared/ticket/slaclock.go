package ticket

import (
	"github.com/stackdesk/stackdesk/shared/bizhours"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// compileCalendar turns a calendar of the settings into its clock: real
// time inside its open wall-clock intervals (shared/bizhours). A variable
// so the model's tests can stand in a clock of their own.
var compileCalendar = func(cal helpdesk.Calendar) (Clock, error) { return bizhours.Compile(cal) }
