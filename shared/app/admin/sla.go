package admin

import (
	"github.com/stackdesk/stackdesk/shared/bizhours"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// compileCalendars refuses SLA settings whose calendars the ticket model
// could not run on: Settings.Validate checks their shape (it cannot import
// bizhours), bizhours.Compile the rest (a time zone this build does not
// know, "Local", no open time at all). Without it such a calendar would be
// saved and its policies would quietly run around the clock
// (ticket.clockFor falls back). The reason is bizhours' own
// (unknown_time_zone, no_open_time, ...), its message names the calendar.
func compileCalendars(s helpdesk.SLASettings) error {
	for _, c := range s.Calendars {
		if _, err := bizhours.Compile(c); err != nil {
			return err
		}
	}
	return nil
}
