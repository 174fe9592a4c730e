import { describe, expect, it } from "vitest";
import { brand, contrast } from "./brand";
import { readSession, sessionKey } from "./session";

describe("brand", () => {
  it("keeps every colour and its text at WCAG AA on white", () => {
    for (const [p, a] of [["#ffeb3b", "#00ffff"], ["#ffffff", "#000000"], ["#0b5cad", "#6b3fa0"], ["#ff5722", "#8bc34a"]]) {
      const b = brand(p, a);
      expect(contrast(b.primary, "#ffffff")).toBeGreaterThanOrEqual(4.5);
      expect(contrast(b.accent, "#ffffff")).toBeGreaterThanOrEqual(4.5);
      expect(contrast(b.primary, b.onPrimary)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(b.accent, b.onAccent)).toBeGreaterThanOrEqual(4.5);
    }
  });
  it("keeps a colour that is already readable, and ignores a malformed one", () => {
    expect(brand("#0b5cad").primary).toBe("#0b5cad");
    expect(brand("red; background: url(x)").primary).toBe("#0b5cad");
  });
});

describe("session", () => {
  const store = (v: unknown) => ({ getItem: (k: string) => (k === sessionKey ? JSON.stringify(v) : null) });
  it("reads a live session and drops an expired or malformed one", () => {
    const now = Date.parse("2026-11-30T10:00:00Z");
    expect(readSession(store({ session: "s1", expires_at: "2026-11-30T11:00:00Z" }), now)).toBe("s1");
    expect(readSession(store({ session: "s1", expires_at: "2026-11-30T09:00:00Z" }), now)).toBeNull();
    expect(readSession({ getItem: () => "{not json" }, now)).toBeNull();
    expect(readSession({ getItem: () => null }, now)).toBeNull();
  });
});
