import { describe, expect, it } from "vitest";
import { percent } from "./reportperiod";
import { duration } from "./slareport";

describe("duration", () => {
  it("reads seconds, minutes, hours and days, rounded down", () => {
    expect(duration(0)).toBe("0 s");
    expect(duration(45_000)).toBe("45 s");
    expect(duration(12 * 60_000 + 59_000)).toBe("12 min");
    expect(duration(60 * 60_000 - 1)).toBe("59 min");
    expect(duration(3 * 3_600_000 + 5 * 60_000)).toBe("3 h 05 min");
    expect(duration(2 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000)).toBe("2 d 4 h");
  });
  it("shows nothing for what is not a time", () => {
    expect(duration(-1)).toBe("");
    expect(duration(Number.NaN)).toBe("");
  });
});

describe("percent", () => {
  it("rounds, but never to 100% or 0% unless it is", () => {
    expect(percent(1)).toBe("100%");
    expect(percent(0)).toBe("0%");
    expect(percent(0.755)).toBe("76%");
    expect(percent(299 / 300)).toBe("99%");
    expect(percent(1 / 300)).toBe("1%");
  });
});
