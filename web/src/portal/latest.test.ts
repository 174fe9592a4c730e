import { describe, expect, it } from "vitest";
import { latest } from "./latest";

describe("latest", () => {
  it("marks an answer stale once a newer load started, whatever the order they come back in", async () => {
    const run = latest();
    let slow!: (v: string) => void;
    const first = run(() => new Promise<string>((r) => (slow = r))); // All, with the search: slow
    const second = run(async () => "closed"); // the Closed tab, asked after
    expect(await second).toEqual({ current: true, value: "closed" });
    slow("all");
    expect(await first).toEqual({ current: false, value: "all" });
  });

  it("keeps a load that nothing replaced", async () => {
    const run = latest();
    expect(await run(async () => 1)).toEqual({ current: true, value: 1 });
    expect(await run(async () => 2)).toEqual({ current: true, value: 2 });
  });
});
