import { describe, expect, it } from "vitest";
import { HOUR, replyWindow } from "./replywindow";

const last = "2026-11-30T08:00:00Z";
const t0 = Date.parse(last);

describe("replyWindow", () => {
  it("is open within 24 h and says when it closes", () => {
    const w = replyWindow("whatsapp", last, t0 + 3 * HOUR);
    expect(w.level).toBe("open");
    expect(w.closesAt).toBe(t0 + 24 * HOUR);
    expect(w.text).toMatch(/21 h 0 min left/);
  });
  it("warns in the last two hours", () => {
    expect(replyWindow("messenger", last, t0 + 23 * HOUR).level).toBe("closing");
  });
  it("closes WhatsApp after 24 h", () => {
    expect(replyWindow("whatsapp", last, t0 + 25 * HOUR).level).toBe("closed");
  });
  it("lets Messenger reply with the human-agent tag up to 7 days", () => {
    const w = replyWindow("messenger", last, t0 + 30 * HOUR);
    expect(w.level).toBe("tagged");
    expect(w.closesAt).toBe(t0 + 7 * 24 * HOUR);
    expect(replyWindow("messenger", last, t0 + 7 * 24 * HOUR).level).toBe("closed");
  });
  it("is closed when the customer never wrote", () => {
    expect(replyWindow("whatsapp", "0001-01-01T00:00:00Z").level).toBe("closed");
    expect(replyWindow("messenger", undefined).level).toBe("closed");
  });
});
