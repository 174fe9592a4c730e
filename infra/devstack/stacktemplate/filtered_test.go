package stacktemplate_test

import (
	"strings"
	"testing"
)

// Filtered mail is listed for 90 days and promoted from its raw mail, so
// no lifecycle rule of the mail bucket may expire raw mail (inbound/)
// sooner; and the receipt rule stores it under inbound/, where the agent
// API reads it (wire.AgentAPI).
func TestRawMailOutlivesFilteredRecords(t *testing.T) {
	tpl := parseTemplate(t)
	bucket := props(t, tpl, "MailBucket")
	lc, _ := bucket["LifecycleConfiguration"].(map[string]any)
	rules, _ := lc["Rules"].([]any)
	for _, r := range rules {
		rule, _ := r.(map[string]any)
		prefix, _ := rule["Prefix"].(string)
		if f, ok := rule["Filter"].(map[string]any); ok {
			prefix, _ = f["Prefix"].(string)
		}
		covers := strings.HasPrefix("inbound/", prefix) || strings.HasPrefix(prefix, "inbound/")
		days, hasDays := rule["ExpirationInDays"].(float64)
		if rule["Status"] == "Enabled" && covers && (hasDays && days < 90 || rule["ExpirationDate"] != nil) {
			t.Errorf("lifecycle rule %v expires raw mail before the 90 days filtered mail is listed", rule)
		}
	}
	rule := props(t, tpl, "ReceiptRule")["Rule"].(map[string]any)
	for _, a := range rule["Actions"].([]any) {
		if s3, ok := a.(map[string]any)["S3Action"].(map[string]any); ok && s3["ObjectKeyPrefix"] != "inbound/" {
			t.Errorf("SES stores raw mail under %v, the agent API reads it under inbound/", s3["ObjectKeyPrefix"])
		}
	}
}
