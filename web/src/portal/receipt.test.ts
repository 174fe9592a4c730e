import { describe, expect, it } from "vitest";
import { landed, waitFor } from "./receipt";

// A fake clock: sleep moves it, so polling runs at once and its pauses are
// measured, not waited.
function clock() {
  let t = 0;
  const pauses: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (pauses.push(ms), (t += ms)), pauses };
}

describe("waitFor", () => {
  it("polls until the check gives a value, with growing pauses", async () => {
    const c = clock();
    let n = 0;
    const v = await waitFor(async () => (++n < 4 ? undefined : "42"), { ...c, pause: 100, maxPause: 200 });
    expect(v).toBe("42");
    expect(n).toBe(4);
    expect(c.pauses).toEqual([100, 150, 200]);
  });

  it("treats a thrown error as a failed try", async () => {
    const c = clock();
    let n = 0;
    const v = await waitFor(async () => {
      if (++n === 1) throw new Error("network");
      return 7;
    }, c);
    expect(v).toBe(7);
  });

  it("gives up with null when the time is up", async () => {
    const c = clock();
    let n = 0;
    const v = await waitFor(async () => void n++, { ...c, pause: 1000, maxPause: 1000, timeout: 3500 });
    expect(v).toBeNull();
    expect(n).toBe(4); // at 0, 1000, 2000, 3000
    expect(c.now()).toBeLessThanOrEqual(3500);
  });

  it("stops when aborted", async () => {
    const c = clock();
    const ac = new AbortController();
    let n = 0;
    const v = await waitFor(async () => {
      if (++n === 2) ac.abort();
      return undefined;
    }, { ...c, signal: ac.signal });
    expect(v).toBeNull();
    expect(n).toBe(2);
  });
});

describe("landed", () => {
  it("waits for the receipt, then for the message to show in its ticket", async () => {
    const c = clock();
    const calls: string[] = [];
    let receipts = 0;
    let reads = 0;
    const ticket = await landed(
      {
        async receipt(id) {
          calls.push(`receipt ${id}`);
          return ++receipts < 3 ? undefined : { ticket: "17", shownAs: "uuid-2" }; // 404, 404, then landed
        },
        async messageIds(t) {
          calls.push(`ticket ${t}`);
          // the page lags one read; it shows the message under the router's id, not the 202's
          return ++reads < 2 ? ["uuid-1", "m2"] : ["uuid-1", "m2", "uuid-2"];
        },
      },
      "m2",
      c,
    );
    expect(ticket).toBe("17");
    expect(calls).toEqual(["receipt m2", "receipt m2", "receipt m2", "ticket 17", "ticket 17"]);
    expect(reads).toBe(2);
  });

  it("is null when the message never lands", async () => {
    const c = clock();
    let reads = 0;
    const ticket = await landed(
      { receipt: async () => undefined, messageIds: async () => (reads++, []) },
      "m9",
      { ...c, timeout: 2000 },
    );
    expect(ticket).toBeNull();
    expect(reads).toBe(0);
  });
});
