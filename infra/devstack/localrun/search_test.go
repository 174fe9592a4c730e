package localrun_test

import (
	"testing"
)

// On the local stack, what is written is indexed (the stand-in for the
// table's stream): a form's ticket is found by its words and its sender.
func TestLocalSearchFindsWhatWasWritten(t *testing.T) {
	s := start(t)
	if code, _ := s.post(t, "/forms/"+s.demo.FormChannelID, `{"email":"zed@example.com","name":"Zed Quinn","subject":"Broken kettle","description":"The kettle leaks since Tuesday."}`, nil); code != 202 {
		t.Fatalf("form: %d", code)
	}
	s.drain(t)
	token, _ := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	for _, q := range []string{"kettle", "leaks", "zed%40example.com", "quinn"} {
		code, out := s.get(t, "/api/search?q="+q, token)
		res, _ := out["results"].([]any)
		if code != 200 || len(res) != 1 {
			t.Errorf("search %s: %d %v", q, code, out)
		}
	}
	code, out := s.get(t, "/api/contacts?q=zed", token)
	if cs, _ := out["contacts"].([]any); code != 200 || len(cs) != 1 {
		t.Errorf("contacts zed: %d %v", code, out)
	}
}
