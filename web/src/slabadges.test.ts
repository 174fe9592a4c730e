import { describe, expect, it } from "vitest";
import { dueSpan, slaBadges, slaTargetLines } from "./slabadges";

const now = Date.parse("2026-11-30T12:00:00Z");
const at = (min: number) => new Date(now + min * 60_000).toISOString();

describe("slaBadges", () => {
  it("has no badge without SLA or with targets far off", () => {
    expect(slaBadges(undefined, now)).toEqual([]);
    expect(slaBadges({ targets: [] }, now)).toEqual([]);
    expect(slaBadges({ targets: [{ kind: "close", due_at: at(300), warn_at: at(240), paused: false }] }, now)).toEqual([]);
  });

  it("shows Due in N min within the next hour", () => {
    const b = slaBadges({ targets: [{ kind: "first_response", due_at: at(25), warn_at: at(15), paused: false }] }, now);
    expect(b).toHaveLength(1);
    expect(b[0]).toMatchObject({ level: "due", text: "Due in 25 min", label: "First response due in 25 min" });
  });

  it("shows Due when the policy's warning window has begun, even beyond an hour", () => {
    const b = slaBadges({ targets: [{ kind: "close", due_at: at(150), warn_at: at(-30), paused: false }] }, now);
    expect(b[0]).toMatchObject({ level: "due", text: "Due in 2 h 30 min" });
  });

  it("shows Breached for breached_at without met_at, and not once met", () => {
    expect(slaBadges({ targets: [{ kind: "first_response", due_at: at(-5), breached_at: at(-4), paused: false }] }, now)[0]).toMatchObject({
      level: "breached",
      text: "Breached",
      label: "First response target breached",
    });
    expect(slaBadges({ targets: [{ kind: "first_response", due_at: at(-5), breached_at: at(-4), met_at: at(-1), paused: false }] }, now)).toEqual([]);
  });

  it("shows Breached once the due date passed before the sweep records it", () => {
    expect(slaBadges({ targets: [{ kind: "first_response", due_at: at(-1), paused: false }] }, now)[0].level).toBe("breached");
  });

  it("shows Paused while paused, and ignores stopped targets and Go's zero time", () => {
    const b = slaBadges(
      {
        targets: [
          { kind: "next_response", paused: true, paused_at: at(-10), met_at: "0001-01-01T00:00:00Z" } as never,
          { kind: "close", due_at: at(10), stopped_at: at(-1), paused: false },
        ],
      },
      now,
    );
    expect(b).toEqual([expect.objectContaining({ kind: "next_response", level: "paused", text: "Paused" })]);
  });

  it("orders breached before due before paused, then by due date", () => {
    const b = slaBadges(
      {
        targets: [
          { kind: "close", paused: true },
          { kind: "next_response", due_at: at(40), paused: false },
          { kind: "first_response", due_at: at(10), paused: false },
          { kind: "close", due_at: at(-10), breached_at: at(-9), paused: false },
        ],
      },
      now,
    );
    expect(b.map((x) => x.level + ":" + x.kind)).toEqual(["breached:close", "due:first_response", "due:next_response", "paused:close"]);
  });

  it("spans round up to whole minutes", () => {
    expect(dueSpan(24 * 60_000 + 1)).toBe("25 min");
    expect(dueSpan(60 * 60_000)).toBe("1 h");
    expect(dueSpan(-5)).toBe("0 min");
  });
});

describe("slaTargetLines", () => {
  const fmt = (ms: number) => `<${(ms - now) / 60_000}>`; // minutes from now
  const lines = (targets: Parameters<typeof slaTargetLines>[0]) => slaTargetLines(targets, now, fmt).map((l) => `${l.state}|${l.name}|${l.text}`);

  it("is empty without SLA", () => {
    expect(lines(undefined)).toEqual([]);
    expect(lines({ targets: [] })).toEqual([]);
  });

  it("says every target's state, in the order first response, next response, resolution", () => {
    expect(
      lines({
        targets: [
          { kind: "close", due_at: at(300), warn_at: at(240), paused: false },
          { kind: "next_response", due_at: at(-10), breached_at: at(-9), met_at: at(-2), paused: false },
          { kind: "first_response", due_at: at(30), met_at: at(-60), paused: false },
        ],
      }),
    ).toEqual(["met|First response|Met <-60>", "breached|Next response|Breached <-9>; met <-2>", "due|Resolution|Due <300> (in 5 h)"]);
  });

  it("tells paused with the time left, overdue before the sweep records it, and stopped", () => {
    expect(lines({ targets: [{ kind: "close", paused: true, remaining: 90 * 60 * 1e9 }] })).toEqual([
      "paused|Resolution|Paused, waiting on the customer; 1 h 30 min left",
    ]);
    expect(lines({ targets: [{ kind: "first_response", due_at: at(-1), paused: false }] })).toEqual(["breached|First response|Breached <-1>"]);
    expect(lines({ targets: [{ kind: "first_response", due_at: at(5), stopped_at: at(-3), paused: false }] })).toEqual([
      "stopped|First response|Stopped <-3>: closed before it was met",
    ]);
    expect(lines({ targets: [{ kind: "first_response", due_at: at(-5), breached_at: at(-5), stopped_at: at(-3), paused: false }] })).toEqual([
      "breached|First response|Breached <-5>; stopped <-3>: closed before it was met",
    ]);
  });

  it("ignores Go's zero time", () => {
    expect(lines({ targets: [{ kind: "close", due_at: at(20), met_at: "0001-01-01T00:00:00Z", paused: false }] })).toEqual(["due|Resolution|Due <20> (in 20 min)"]);
  });
});
