import { describe, expect, it } from "vitest";
import type { Settings } from "../../api/client";
import { newCalendar, newPolicy, portalField, settingsBody, settingsDraft, slaSection } from "./settingsform";

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

// Issue 15: calendars and policies as GET /api/settings answers them.
const withSLA: Settings = {
  ...stored,
  sla: {
    default_calendar: "paris",
    team_calendars: { night: "night_shift" },
    calendars: [
      {
        id: "paris",
        name: "Paris office",
        time_zone: "Europe/Paris",
        week: [[], [{ start: "09:00", end: "12:00" }, { start: "13:00", end: "18:00" }], [{ start: "09:00", end: "18:00" }], [], [], [], []],
        holidays: [{ date: "12-25", name: "Christmas", yearly: true }, { date: "2026-12-31" }],
      },
      { id: "night_shift", name: "Night", time_zone: "America/New_York", week: [[], [{ start: "22:00", end: "06:00" }], [], [], [], [], []] },
    ],
    policies: [
      { id: "urgent", name: "Urgent", priorities: ["urgent"], channels: ["email", "whatsapp"], teams: ["night"], categories: ["billing"], first_response_minutes: 30, close_minutes: 480, business_hours: true, pause_when_waiting: true, warn_minutes: 10 },
      { id: "rest", name: "Everything else", first_response_minutes: 240, business_hours: false, pause_when_waiting: false },
    ],
  },
};

// nulls lists the paths holding null (the API refuses them).
function nulls(v: unknown, path = ""): string[] {
  if (v === null) return [path];
  if (typeof v !== "object") return [];
  return Object.entries(v as object).flatMap(([k, x]) => nulls(x, `${path}.${k}`));
}

describe("the settings page's calendars and policies", () => {
  it("sends them back as they came when untouched", () => {
    const body = settingsBody(settingsDraft(withSLA));
    const sla = body.sla!;
    expect(sla.default_calendar).toBe("paris");
    expect(sla.team_calendars).toEqual({ night: "night_shift" });
    expect(sla.calendars![0]).toEqual(withSLA.sla!.calendars![0]);
    // A calendar without holidays goes back with [] (never null).
    expect(sla.calendars![1]).toEqual({ ...withSLA.sla!.calendars![1], holidays: [] });
    expect(sla.policies![0]).toEqual({ ...withSLA.sla!.policies![0], next_response_minutes: 0 });
    expect(sla.policies![1]).toMatchObject(withSLA.sla!.policies![1]);
    expect(sla.policies!.map((p) => p.id)).toEqual(["urgent", "rest"]);
    expect(nulls(body)).toEqual([]);
  });

  it("leaves sla out when the document has none and the page added none", () => {
    expect("sla" in settingsBody(settingsDraft(stored))).toBe(false);
    // But clears them when an admin removed every one.
    const d = settingsDraft(withSLA);
    d.sla.calendars = [];
    d.sla.policies = [];
    d.sla.teams = [];
    d.sla.default_calendar = "";
    expect(settingsBody(d).sla).toEqual({ calendars: [], policies: [], default_calendar: "", team_calendars: {} });
  });

  it("builds the request from edits: a new calendar, a team's calendar, a policy moved first", () => {
    const d = settingsDraft(stored);
    const cal = newCalendar("Europe/Lisbon");
    cal.id = "lisbon";
    cal.name = " Lisbon ";
    cal.week[6].push({ start: "10:00", end: "14:00" });
    cal.holidays!.push({ date: "06-13", name: "", yearly: true });
    d.sla.calendars.push(cal);
    d.sla.default_calendar = "lisbon";
    d.sla.teams.push({ team: "support", calendar: "lisbon" }, { team: "", calendar: "" });
    const p = newPolicy();
    p.id = "vip";
    p.name = "VIP";
    p.priorities = ["high", "urgent"];
    p.first_response_minutes = "15" as unknown as number; // a number input's text
    p.close_minutes = "" as unknown as number; // emptied
    p.business_hours = true;
    d.sla.policies.push(newPolicy(), p);
    d.sla.policies[0].id = "other";
    d.sla.policies[0].name = "Other";
    d.sla.policies.reverse();
    const body = settingsBody(d);
    expect(nulls(body)).toEqual([]);
    expect(JSON.stringify(body)).not.toContain("fresh");
    const sla = body.sla!;
    expect(sla.calendars).toEqual([
      {
        id: "lisbon",
        name: "Lisbon",
        time_zone: "Europe/Lisbon",
        week: [[], [{ start: "09:00", end: "17:00" }], [{ start: "09:00", end: "17:00" }], [{ start: "09:00", end: "17:00" }], [{ start: "09:00", end: "17:00" }], [{ start: "09:00", end: "17:00" }], [{ start: "10:00", end: "14:00" }]],
        holidays: [{ date: "06-13", yearly: true }],
      },
    ]);
    expect(sla.default_calendar).toBe("lisbon");
    expect(sla.team_calendars).toEqual({ support: "lisbon" });
    expect(sla.policies!.map((x) => x.id)).toEqual(["vip", "other"]);
    expect(sla.policies![0]).toEqual({
      id: "vip", name: "VIP", priorities: ["high", "urgent"], channels: [], teams: [], categories: [],
      first_response_minutes: 15, next_response_minutes: 0, close_minutes: 0, warn_minutes: 0, business_hours: true, pause_when_waiting: true,
    });
  });

  it("closed weekdays are [] even when the stored week was short or held null", () => {
    const odd = JSON.parse(JSON.stringify(withSLA));
    odd.sla.calendars[1].week = [null, [{ start: "22:00", end: "06:00" }]];
    const body = settingsBody(settingsDraft(odd));
    expect(body.sla!.calendars![1].week).toEqual([[], [{ start: "22:00", end: "06:00" }], [], [], [], [], []]);
    expect(nulls(body)).toEqual([]);
  });

  it("puts a refusal by the calendars or the policies", () => {
    const r = (reason: string) => ({ error: { code: "invalid", reason, message: "x" } });
    expect(slaSection(r("unknown_time_zone"))).toBe("calendars");
    expect(slaSection(r("invalid_interval"))).toBe("calendars");
    expect(slaSection(r("sla_warn_not_before_target"))).toBe("policies");
    expect(slaSection(r("too_many_sla_policies"))).toBe("policies");
    expect(slaSection(r("invalid_portal_name"))).toBeUndefined();
  });
});
