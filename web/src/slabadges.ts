// SLA badges of a ticket (issue 15): one per running target that needs the
// agent's eye. The API gives each target's due_at, warn_at, paused, met_at
// and breached_at (shared/helpdesk/sla.go decides them); the badge follows
// from those and the clock, so lists and the ticket page agree. Each badge
// carries its meaning in text (not colour alone).
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

export interface SLATargetLike {
  kind: string;
  due_at?: string;
  warn_at?: string;
  paused?: boolean;
  met_at?: string;
  breached_at?: string;
  stopped_at?: string;
  remaining?: number; // nanoseconds left, while paused
}

export interface SLABadge {
  kind: string;
  level: "breached" | "due" | "paused";
  // text is what the badge shows; label is the full sentence for screen readers and the tooltip.
  text: string;
  label: string;
  dueAt?: number;
}

const KIND: Record<string, string> = {
  first_response: "First response",
  next_response: "Next response",
  close: "Resolution",
};

export function kindName(kind: string): string {
  return KIND[kind] ?? kind;
}

// Go's zero time serializes as 0001-01-01T00:00:00Z; treat it (and junk) as absent.
function instant(s: string | undefined): number | undefined {
  if (!s || s.startsWith("0001-")) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

export function dueSpan(ms: number): string {
  const m = Math.max(0, Math.ceil(ms / MINUTE));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

// TargetState is where one target stands at now; the badges and the
// ticket page's panel both read it, so they cannot disagree.
interface TargetState {
  state: "met" | "stopped" | "breached" | "paused" | "due" | "running";
  due?: number;
  breachedAt?: number; // recorded, or the due date passed before the sweep records it
  endedAt?: number; // met or stopped
  warned: boolean; // the policy's warning window has begun
}

function targetState(t: SLATargetLike, now: number): TargetState {
  const due = instant(t.due_at);
  const met = instant(t.met_at);
  const stopped = instant(t.stopped_at);
  const warn = instant(t.warn_at);
  const breachedAt = instant(t.breached_at) ?? (met === undefined && stopped === undefined && !t.paused && due !== undefined && due <= now ? due : undefined);
  const s = { due, breachedAt, warned: warn !== undefined && warn <= now };
  if (met !== undefined) return { ...s, state: "met", endedAt: met };
  if (stopped !== undefined) return { ...s, state: "stopped", endedAt: stopped };
  if (breachedAt !== undefined) return { ...s, state: "breached" };
  if (t.paused) return { ...s, state: "paused" };
  return { ...s, state: due === undefined ? "running" : "due" };
}

// slaBadges returns the badges of a ticket's running targets that need the
// agent's eye, breached first, then by due date.
export function slaBadges(sla: { targets?: SLATargetLike[] } | undefined | null, now = Date.now()): SLABadge[] {
  const out: SLABadge[] = [];
  for (const t of sla?.targets ?? []) {
    const name = kindName(t.kind);
    const { state, due, warned } = targetState(t, now);
    if (state === "breached") out.push({ kind: t.kind, level: "breached", text: "Breached", label: `${name} target breached`, dueAt: due });
    if (state === "paused") out.push({ kind: t.kind, level: "paused", text: "Paused", label: `${name} clock paused: waiting on the customer` });
    if (state === "due" && due !== undefined && (warned || due - now <= HOUR)) {
      const span = dueSpan(due - now);
      out.push({ kind: t.kind, level: "due", text: `Due in ${span}`, label: `${name} due in ${span}`, dueAt: due });
    }
  }
  const rank = { breached: 0, due: 1, paused: 2 };
  return out.sort((a, b) => rank[a.level] - rank[b.level] || (a.dueAt ?? Infinity) - (b.dueAt ?? Infinity));
}

export interface SLATargetLine {
  kind: string;
  name: string;
  state: "met" | "breached" | "due" | "paused" | "stopped";
  text: string;
}

// slaTargetLines says where each of a ticket's targets stands, for the
// ticket page's "Service levels" panel: every target, whether or not it
// needs the agent's eye yet, with its instants formatted by at.
export function slaTargetLines(sla: { targets?: SLATargetLike[] } | undefined | null, now: number, at: (ms: number) => string): SLATargetLine[] {
  const order = ["first_response", "next_response", "close"];
  const lines = (sla?.targets ?? []).map((t): SLATargetLine => {
    const line = (state: SLATargetLine["state"], text: string) => ({ kind: t.kind, name: kindName(t.kind), state, text });
    const { state, due, breachedAt, endedAt } = targetState(t, now);
    const late = breachedAt !== undefined ? `Breached ${at(breachedAt)}` : "";
    switch (state) {
      case "met":
        return late ? line("breached", `${late}; met ${at(endedAt!)}`) : line("met", `Met ${at(endedAt!)}`);
      case "stopped":
        return line(late ? "breached" : "stopped", `${late ? late + "; s" : "S"}topped ${at(endedAt!)}: closed before it was met`);
      case "breached":
        return line("breached", late);
      case "paused": {
        const left = (t.remaining ?? 0) / 1e6;
        return line("paused", `Paused, waiting on the customer${left > 0 ? `; ${dueSpan(left)} left` : ""}`);
      }
      case "due":
        return line("due", `Due ${at(due!)} (in ${dueSpan(due! - now)})`);
      default:
        return line("due", "Running");
    }
  });
  return lines.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}
