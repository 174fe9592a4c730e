package journeys_test

// Issue 14 on the console's settings page: an admin edits the customer
// portal's branding (a bad colour is refused by the API and shown by its
// field), turns a customer notification off, and the portal's public
// GET /portal/api/tenant answers the new branding; the stage marked
// waiting_on_customer keeps its mark through the save.

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
)

func TestAdminSettingsEditBrandingAndCustomerNotifications(t *testing.T) {
	s, b := start(t)
	began := time.Now()
	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0]) // alice, admin
	p.Click(browser.Role("link", "Pipelines and categories"))
	waiting := browser.Label("Waiting on contact waits on the customer")
	p.Wait(waiting)
	if !browser.Eval[bool](p, `document.querySelector('[aria-label="Waiting on contact waits on the customer"]').checked`) {
		t.Fatal("the default pipeline's Waiting on contact is not shown as waiting on the customer")
	}
	closedSwitch := browser.Label("Their request is closed")
	if !browser.Eval[bool](p, `document.getElementById("cn-closed").checked`) {
		t.Fatal("the closed notification is not shown on")
	}

	// A colour the API refuses: the page says so by the field, and nothing is saved.
	p.Fill(browser.Label("Portal name"), "Acme help")
	p.Fill(browser.Label("Primary colour"), "blue")
	p.Click(browser.Role("button", "Save settings"))
	p.Wait(browser.CSS(`#pb-primary_color-error`))
	if got := browser.Eval[string](p, `document.getElementById("pb-primary_color").getAttribute("aria-invalid") + " " + document.getElementById("pb-primary_color").getAttribute("aria-describedby")`); got != "true pb-primary_color-hint pb-primary_color-error" {
		t.Fatalf("the refused colour field: aria-invalid and describedby %q", got)
	}
	p.Check("settings-portal-refused")
	admin := token(t, s, s.demo.AgentEmails[0], s.demo.Password)
	if _, st := call(t, s, "GET", "/api/settings", admin, ""); st["portal"] != nil {
		t.Fatalf("a refused save stored the branding: %v", st["portal"])
	}

	retype(p, browser.Label("Primary colour"), "#1a5fb4")
	p.Fill(browser.Label("Accent colour"), "#e66100")
	p.Fill(browser.Label("Logo URL"), "https://acme.example/logo.svg")
	p.Click(closedSwitch)
	p.Click(browser.Role("button", "Save settings"))
	p.WaitText("Settings saved.")
	if p.Has(browser.CSS(`#pb-primary_color-error`)) {
		t.Fatal("the colour's refusal is still shown after the save")
	}
	p.Check("settings-portal-saved")

	// As stored: the branding, the switch, and the stage's mark kept.
	_, st := call(t, s, "GET", "/api/settings", admin, "")
	var got struct {
		Pipelines map[string]struct {
			Stages []struct {
				ID                string `json:"id"`
				WaitingOnCustomer bool   `json:"waiting_on_customer"`
			} `json:"stages"`
		} `json:"pipelines"`
		CustomerNotify struct {
			Off []string `json:"off"`
		} `json:"customer_notify"`
		Portal map[string]string `json:"portal"`
	}
	raw, _ := json.Marshal(st)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.CustomerNotify.Off, []string{"closed"}) {
		t.Errorf("customer_notify.off %v, want [closed]", got.CustomerNotify.Off)
	}
	marked := 0
	for _, pl := range got.Pipelines {
		for _, stg := range pl.Stages {
			if stg.WaitingOnCustomer {
				marked++
			}
		}
	}
	if marked == 0 {
		t.Errorf("the save dropped the stages' waiting_on_customer: %s", raw)
	}

	// The portal's public branding follows (its settings cache lives a second in localrun).
	want := map[string]string{"name": "Acme help", "logo_url": "https://acme.example/logo.svg", "primary_color": "#1a5fb4", "accent_color": "#e66100"}
	deadline := time.Now().Add(10 * time.Second)
	for {
		tenant := getTenant(t, s)
		if maps.Equal(tenant, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /portal/api/tenant answers %v, want %v", tenant, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("settings branding journey: %s", time.Since(began).Round(time.Millisecond))
}

func getTenant(t *testing.T, s stack) map[string]string {
	t.Helper()
	resp, err := http.Get(s.url + "/portal/api/tenant")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /portal/api/tenant: %d %v", resp.StatusCode, err)
	}
	return out
}
