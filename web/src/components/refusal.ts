// How the ticket actions explain a refusal for the ticket's state: the API's
// reason, then the tickets as the other agent left them (a 409 of a merge or
// unmerge holds both, a 412 the one), so the agent sees their change
// instead of overwriting it.
import { errorMessage, type Schemas, type Ticket } from "../api/client";
import { statusName, userName } from "../session";

export type Refusal = Schemas["Error"] & { ticket?: Ticket; into?: Ticket };

// describe says how a ticket now is.
export function describe(t: Ticket): string {
  const state = t.state === "merged" ? `merged into #${t.merged_into}` : t.state;
  return `#${t.id} is ${state}, owner ${userName(t.owner_id)}, status ${statusName(t.pipeline, t.status)}, priority ${t.priority || "none"}`;
}

// refusal is "<what>: <reason>. Now #1 is ...; #2 is ...".
export function refusal(err: unknown, what: string): string {
  const r = err as Refusal | undefined;
  const now = [r?.ticket, r?.into].filter((t): t is Ticket => !!t && !!t.id).map(describe);
  const why = errorMessage(err, "refused").replace(/[^.!?]$/, "$&.");
  return `${what}: ${why}${now.length ? ` Now ${now.join("; ")}.` : ""}`;
}
