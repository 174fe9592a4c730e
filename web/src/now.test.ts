import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { effectScope } from "vue";
import { nowEvery, useNow } from "./now";

describe("useNow", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("moves every nowEvery ms while used, and stops when no one uses it", () => {
    const scope = effectScope();
    const now = scope.run(() => useNow())!;
    expect(now.value).toBe(1_000_000);
    vi.advanceTimersByTime(nowEvery);
    expect(now.value).toBe(1_000_000 + nowEvery);
    scope.stop();
    expect(vi.getTimerCount()).toBe(0);
  });
});
