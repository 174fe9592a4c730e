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
}

export function settingsDraft(s: Settings): Draft {
  const off = new Set(s.customer_notify?.off ?? []);
  return {
    pipelines: clone(Object.values(s.pipelines)),
    categories: clone(s.categories),
    defaults: defaultsForm(s.defaults),
    notify: Object.fromEntries(notifyKinds.map(({ kind }) => [kind, !off.has(kind)])) as Record<NotifyKind, boolean>,
    portal: { name: "", logo_url: "", primary_color: "", accent_color: "", ...clone(s.portal ?? {}) },
  };
}

// unmarked is a row without the page's own mark.
function unmarked<T extends object>(row: T & { fresh?: boolean }): T {
  const { fresh: _, ...rest } = row;
  return rest as T;
}

export function settingsBody(d: Draft): Schemas["SettingsRequest"] {
  return {
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
