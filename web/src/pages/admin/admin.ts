// What the admin pages share: who may see them, the teams, and the 412
// dance for settings items (channels, users, teams, the settings document):
// a change refused because another admin saved first reads the item again,
// so the page shows their version instead of overwriting it.
import { computed } from "vue";
import type { Schemas } from "../../api/client";
import { session } from "../../session";

export type Channel = Schemas["Channel"];
export type Team = Schemas["Team"];
export type RoutingRule = Schemas["RoutingRule"];

// isAdmin: admins, and users who manage settings, see the Admin pages.
export const isAdmin = computed(() => {
  const a = session.me?.agent;
  return !!a && (a.role === "admin" || !!a.permissions.manage_settings);
});

export { loadTeams, teamName, teams } from "../../session";

// staleText is what a page says when its save was refused with 412.
export function staleText(what: string): string {
  return `Another admin changed this ${what} first; your change was not saved. The page now shows their version: make your change again on it.`;
}

// slug makes an id from a name ("Waiting on customer" -> "waiting_on_customer").
export function slug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 100);
}

// list parses a comma-separated field; join writes one.
export function list(s: string): string[] {
  return s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);
}
export function join(a?: string[]): string {
  return (a ?? []).join(", ");
}

export function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

// defaultsForm gives every default a value, so each select shows its choice
// ("" for none); defaultsBody leaves the empty ones out of what is sent.
export function defaultsForm(d: Schemas["TicketDefaults"]): Schemas["TicketDefaults"] {
  return { pipeline: "", status: "", priority: "", category: "", ...clone(d) };
}
export function defaultsBody(d: Schemas["TicketDefaults"]): Schemas["TicketDefaults"] {
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== "" && v !== undefined)) as Schemas["TicketDefaults"];
}
