// The settings page's document: what it edits (settingsDraft) and what it
// sends (settingsBody), kept out of the component so a test can hold the
// round trip. Every field the page does not edit goes back as it came
// (rows are spread, not rebuilt): a stage's waiting_on_customer, or a field
// a later API adds, must not be dropped by an admin renaming a status.
import type { Schemas, Settings } from "../../api/client";
import { clone, defaultsBody, defaultsForm } from "./admin";

type Stage = Schemas["Stage"];
type Pipeline = Schemas["Pipeline"];
type Category = Schemas["Category"];
export type NotifyKind = NonNullable<Schemas["CustomerNotifySettings"]["off"]>[number];
export type Branding = Required<Schemas["PortalBranding"]>;

// The customer notification kinds, in the order the page lists them.
export const notifyKinds: { kind: NotifyKind; label: string }[] = [
  { kind: "closed", label: "Their request is closed" },
  { kind: "reopened", label: "Their request is reopened" },
  { kind: "waiting", label: "Their request waits on them (a status marked so)" },
  { kind: "reply", label: "An answer they would not otherwise see" },
];

// Draft is the document being edited: pipelines as a list (in the order
// shown), the categories and defaults, which notifications are on, the
// portal's branding; `fresh` marks rows added here, whose ids are still
// made from their names.
export interface Draft {
  pipelines: (Pipeline & { fresh?: boolean; stages: (Stage & { fresh?: boolean })[] })[];
  categories: (Category & { fresh?: boolean })[];
  defaults: Schemas["TicketDefaults"];
  notify: Record<NotifyKind, boolean>;
  portal: Branding;
  sla: SLADraft;
}

// Issue 15: calendars and policies. The page edits them as rows; every
// field it does not know is spread back as it came.
export type Calendar = Schemas["Calendar"];
export type SLAPolicy = Schemas["SLAPolicy"];
export interface SLADraft {
  calendars: (Calendar & { fresh?: boolean })[];
  default_calendar: string;
  // team_calendars as rows, in the order shown.
  teams: { team: string; calendar: string }[];
  policies: (SLAPolicy & { fresh?: boolean })[];
  // had: the stored document had an sla object (else an untouched page
  // leaves it out: absent is "left as it is").
  had: boolean;
  rest: Omit<Schemas["SLASettings"], "calendars" | "default_calendar" | "team_calendars" | "policies">;
}

export const weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
export const priorities = ["low", "medium", "high", "urgent"] as const;
export const channelKinds = ["email", "form", "messenger", "whatsapp", "api", "portal", "other"] as const;

// newCalendar is a fresh calendar: Monday to Friday, 09:00-17:00.
export function newCalendar(timeZone: string): Calendar & { fresh: boolean } {
  const nine = () => [{ start: "09:00", end: "17:00" }];
  return { id: "", name: "", time_zone: timeZone, week: [[], nine(), nine(), nine(), nine(), nine(), []], holidays: [], fresh: true };
}
export function newPolicy(): SLAPolicy & { fresh: boolean } {
  return { id: "", name: "", priorities: [], channels: [], teams: [], categories: [], first_response_minutes: 60, next_response_minutes: 0, close_minutes: 0, business_hours: false, pause_when_waiting: true, warn_minutes: 0, fresh: true };
}

export function slaDraft(sla: Schemas["SLASettings"] | undefined): SLADraft {
  const { calendars, default_calendar, team_calendars, policies, ...rest } = clone(sla ?? {});
  return {
    calendars: (calendars ?? []).map((c) => ({ ...c, week: Array.from({ length: 7 }, (_, i) => c.week?.[i] ?? []), holidays: c.holidays ?? [] })),
    default_calendar: default_calendar ?? "",
    teams: Object.entries(team_calendars ?? {}).map(([team, calendar]) => ({ team, calendar })),
    policies: (policies ?? []).map((p) => ({ priorities: [], channels: [], teams: [], categories: [], ...p })),
    had: sla !== undefined && sla !== null,
    rest,
  };
}

// minutes is a number input's value as the API takes it (never null/NaN).
function minutes(v: unknown): number {
  const n = Math.floor(Number(v));
  return Number.isFinite(n) && n > 0 ? n : 0;
}

// slaBody is what the page sends; undefined leaves the stored SLA settings
// as they are (nothing there, nothing added).
export function slaBody(d: SLADraft): Schemas["SLASettings"] | undefined {
  const empty = !d.calendars.length && !d.policies.length && !d.default_calendar && !d.teams.length;
  if (!d.had && empty) return undefined;
  return {
    ...d.rest,
    calendars: d.calendars.map((c) => ({
      ...unmarked(c),
      name: c.name.trim(),
      time_zone: c.time_zone.trim(),
      week: Array.from({ length: 7 }, (_, i) => (c.week[i] ?? []).map((iv) => ({ ...iv }))),
      holidays: (c.holidays ?? []).map((h) => {
        const out = { ...h, date: h.date.trim() };
        if (!out.name) delete out.name;
        return out;
      }),
    })),
    default_calendar: d.default_calendar,
    team_calendars: Object.fromEntries(d.teams.filter((r) => r.team && r.calendar).map((r) => [r.team, r.calendar])),
    policies: d.policies.map((p) => ({
      ...unmarked(p),
      name: p.name.trim(),
      priorities: [...(p.priorities ?? [])],
      channels: [...(p.channels ?? [])],
      teams: [...(p.teams ?? [])],
      categories: [...(p.categories ?? [])],
      first_response_minutes: minutes(p.first_response_minutes),
      next_response_minutes: minutes(p.next_response_minutes),
      close_minutes: minutes(p.close_minutes),
      warn_minutes: minutes(p.warn_minutes),
      business_hours: !!p.business_hours,
      pause_when_waiting: !!p.pause_when_waiting,
    })),
  };
}

// The API's reasons about calendars (and bizhours' own, from the save's
// compile); anything else sla-ish is shown by the policies.
const calendarReasons = new Set([
  "too_many_calendars", "calendar_id_invalid", "duplicate_calendar", "too_many_holidays",
  "too_many_intervals", "unknown_calendar", "team_calendar_invalid",
  "time_zone_required", "unknown_time_zone", "invalid_interval", "invalid_holiday", "no_open_time",
]);
// slaSection says which SLA section a refusal is about, if any.
export function slaSection(err: unknown): "calendars" | "policies" | undefined {
  const reason = (err as Schemas["Error"] | undefined)?.error?.reason;
  if (!reason) return undefined;
  if (calendarReasons.has(reason)) return "calendars";
  if (reason.startsWith("sla_") || reason.endsWith("sla_policies")) return "policies";
  return undefined;
}

export function settingsDraft(s: Settings): Draft {
  const off = new Set(s.customer_notify?.off ?? []);
  return {
    pipelines: clone(Object.values(s.pipelines)),
    categories: clone(s.categories),
    defaults: defaultsForm(s.defaults),
    notify: Object.fromEntries(notifyKinds.map(({ kind }) => [kind, !off.has(kind)])) as Record<NotifyKind, boolean>,
    portal: { name: "", logo_url: "", primary_color: "", accent_color: "", ...clone(s.portal ?? {}) },
    sla: slaDraft(s.sla),
  };
}

// unmarked is a row without the page's own mark.
function unmarked<T extends object>(row: T & { fresh?: boolean }): T {
  const { fresh: _, ...rest } = row;
  return rest as T;
}

export function settingsBody(d: Draft): Schemas["SettingsRequest"] {
  const sla = slaBody(d.sla);
  return {
    ...(sla ? { sla } : {}),
    pipelines: Object.fromEntries(
      d.pipelines.map((p) => [
        p.id,
        { ...unmarked(p), name: p.name.trim(), stages: p.stages.map((s) => ({ ...unmarked(s), name: s.name.trim(), closed: !!s.closed })) },
      ]),
    ),
    categories: d.categories.map((c) => ({ ...unmarked(c), name: c.name.trim() })),
    defaults: defaultsBody(d.defaults),
    customer_notify: { off: notifyKinds.map(({ kind }) => kind).filter((k) => !d.notify[k]) },
    // Empty fields take the portal's defaults; they are left out.
    portal: Object.fromEntries(
      Object.entries(d.portal)
        .map(([k, v]) => [k, (v ?? "").trim()])
        .filter(([, v]) => v !== ""),
    ) as Schemas["PortalBranding"],
  };
}

// The API's reasons for refusing the branding, by the field they are about.
const portalReasons: Record<string, keyof Branding> = {
  invalid_portal_name: "name",
  invalid_portal_logo: "logo_url",
  invalid_portal_primary_color: "primary_color",
  invalid_portal_accent_color: "accent_color",
};

// portalField says which branding field a refusal is about, if any.
export function portalField(err: unknown): keyof Branding | undefined {
  const reason = (err as Schemas["Error"] | undefined)?.error?.reason;
  return reason ? portalReasons[reason] : undefined;
}
