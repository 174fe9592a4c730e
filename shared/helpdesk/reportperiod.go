package helpdesk

import "time"

// MaxReportDays bounds a report's period, so one request reads at most a
// year of ratings or SLA outcomes.
const MaxReportDays = 366

// CheckReportPeriod refuses a report period [from, to) that is empty,
// reversed or longer than MaxReportDays.
func CheckReportPeriod(from, to time.Time) error {
	if !from.Before(to) || to.Sub(from) > MaxReportDays*24*time.Hour {
		return Errorf(EInvalid, "invalid_period", "from must be before to, at most %d days apart", MaxReportDays)
	}
	return nil
}
