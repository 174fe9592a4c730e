import { describe, expect, it } from "vitest";
import type { Settings } from "../../api/client";
import { portalField, settingsBody, settingsDraft } from "./settingsform";

// A settings document as GET /api/settings answers it once issue 14's
// fields are set: a stage marked waiting_on_customer, two notification
// kinds off, the portal's branding.
const stored: Settings = {
  version: 7,
  updated_at: "2026-11-30T10:00:00Z",
  pipelines: {
    support: {
      id: "support",
      name: "Support pipeline",
      stages: [
        { id: "new", name: "New" },
        { id: "waiting_on_contact", name: "Waiting on contact", waiting_on_customer: true },
        { id: "closed", name: "Closed", closed: true },
      ],
    },
  },
  categories: [{ id: "billing", name: "Billing" }],
  defaults: { pipeline: "support", priority: "medium" },
  customer_notify: { off: ["reply", "waiting"] },
  portal: { name: "Acme help", logo_url: "https://acme.example/logo.svg", primary_color: "#112233", accent_color: "#aabbcc" },
};

describe("the settings page's save", () => {
  it("sends back every field it was given, issue 14's included", () => {
    const body = settingsBody(settingsDraft(stored));
    expect(body.pipelines.support.stages[1].waiting_on_customer).toBe(true);
    expect(body.customer_notify?.off?.slice().sort()).toEqual(["reply", "waiting"]);
    expect(body.portal).toEqual(stored.portal);
    expect(body.categories).toEqual(stored.categories);
    expect(body.defaults).toEqual(stored.defaults);
  });

  it("keeps a stage's and a pipeline's fields it does not know", () => {
    const future = JSON.parse(JSON.stringify(stored));
    future.pipelines.support.colour = "blue";
    future.pipelines.support.stages[0].sla_minutes = 30;
    future.categories[0].archived = true;
    const body = settingsBody(settingsDraft(future)) as any;
    expect(body.pipelines.support.colour).toBe("blue");
    expect(body.pipelines.support.stages[0].sla_minutes).toBe(30);
    expect(body.categories[0].archived).toBe(true);
  });

  it("never sends the page's own marks, and trims names", () => {
    const d = settingsDraft(stored);
    d.pipelines[0].stages.splice(2, 0, { id: "on_hold", name: " On hold ", fresh: true });
    d.categories.push({ id: "refunds", name: "Refunds ", fresh: true });
    const body = settingsBody(d) as any;
    expect(JSON.stringify(body)).not.toContain("fresh");
    expect(body.pipelines.support.stages[2]).toEqual({ id: "on_hold", name: "On hold", closed: false });
    expect(body.categories[1]).toEqual({ id: "refunds", name: "Refunds" });
  });
});

describe("the settings page's issue 14 fields", () => {
  it("turns notifications off and on, and leaves empty branding out", () => {
    const d = settingsDraft({ ...stored, customer_notify: undefined, portal: undefined });
    expect(Object.values(d.notify).every(Boolean)).toBe(true);
    d.notify.closed = false;
    d.portal.name = " Wombat help ";
    const body = settingsBody(d);
    expect(body.customer_notify).toEqual({ off: ["closed"] });
    expect(body.portal).toEqual({ name: "Wombat help" });
  });

  it("puts a refused colour by its field", () => {
    const refusal = { error: { code: "invalid", reason: "invalid_portal_accent_color", message: "portal accent colour: #rrggbb" } };
    expect(portalField(refusal)).toBe("accent_color");
    expect(portalField({ error: { code: "invalid", reason: "no_closed_stage", message: "x" } })).toBeUndefined();
  });
});
