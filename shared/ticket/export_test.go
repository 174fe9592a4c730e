package ticket

import "github.com/stackdesk/stackdesk/shared/helpdesk"

// SetCompileCalendarForTest swaps the calendar compiler; the returned
// func puts it back.
func SetCompileCalendarForTest(f func(helpdesk.Calendar) (Clock, error)) (restore func()) {
	old := compileCalendar
	compileCalendar = f
	return func() { compileCalendar = old }
}
