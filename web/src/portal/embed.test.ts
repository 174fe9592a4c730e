import { describe, expect, it } from "vitest";
import { answerHellos, badgeType, helloType, runBadge, sameSite, site, type Frame } from "./embed";
import { accepts, countText, portalBase } from "../help/help";

// A frame whose parent records what it is sent, and whose message listener
// the test calls as the browser would.
function fakeFrame(origin = "https://help.acme.example") {
  const sent: { data: unknown; to: string }[] = [];
  const parent = { postMessage: (data: unknown, to: string) => void sent.push({ data, to }) };
  let listener: ((e: MessageEvent) => void) | undefined;
  const frame: Frame = { parent, origin, addEventListener: (_t, fn) => (listener = fn) };
  const deliver = (e: Partial<MessageEvent>) => listener!(e as MessageEvent);
  return { frame, parent, sent, deliver };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe("site", () => {
  it("is the last two labels of a name, or the host itself", () => {
    expect(site("help.acme.example")).toBe("acme.example");
    expect(site("www.acme.example")).toBe("acme.example");
    expect(site("127.0.0.1")).toBe("127.0.0.1");
    expect(site("localhost")).toBe("localhost");
  });
  it("lets the tenant's website embed its help subdomain, and no other site", () => {
    expect(sameSite("https://www.acme.example", "https://help.acme.example")).toBe(true);
    expect(sameSite("http://127.0.0.1:8081", "http://127.0.0.1:8080")).toBe(true);
    expect(sameSite("https://evil.example", "https://help.acme.example")).toBe(false);
    expect(sameSite("http://www.acme.example", "https://help.acme.example")).toBe(false);
    expect(sameSite("null", "https://help.acme.example")).toBe(false);
  });
});

describe("the badge frame", () => {
  it("answers the parent's hello with the count, to the parent's origin only", async () => {
    const f = fakeFrame();
    runBadge(f.frame, async () => 3);
    f.deliver({ source: f.parent as unknown as Window, origin: "https://www.acme.example", data: { type: helloType } });
    await flush();
    expect(f.sent).toEqual([{ data: { type: badgeType, replies_since_visit: 3 }, to: "https://www.acme.example" }]);
  });

  it("adds the tenant's colour when it has one", async () => {
    const f = fakeFrame();
    runBadge(f.frame, async () => 0, async () => "#ffeb3b");
    f.deliver({ source: f.parent as unknown as Window, origin: "https://www.acme.example", data: { type: helloType } });
    await flush();
    expect(f.sent[0].data).toEqual({ type: badgeType, replies_since_visit: 0, primary_color: "#ffeb3b" });
  });

  it("answers 0 when the count fails (signed out, API down)", async () => {
    const f = fakeFrame();
    runBadge(f.frame, async () => {
      throw new Error("401");
    });
    f.deliver({ source: f.parent as unknown as Window, origin: "https://www.acme.example", data: { type: helloType } });
    await flush();
    expect(f.sent[0].data).toEqual({ type: badgeType, replies_since_visit: 0 });
  });

  it("ignores hellos from another site, from a window other than its parent, and other messages", async () => {
    const f = fakeFrame();
    let asked = 0;
    runBadge(f.frame, async () => (asked++, 1));
    f.deliver({ source: f.parent as unknown as Window, origin: "https://evil.example", data: { type: helloType } });
    f.deliver({ source: {} as Window, origin: "https://www.acme.example", data: { type: helloType } });
    f.deliver({ source: f.parent as unknown as Window, origin: "https://www.acme.example", data: { type: "other" } });
    f.deliver({ source: f.parent as unknown as Window, origin: "https://www.acme.example", data: null });
    await flush();
    expect(asked).toBe(0);
    expect(f.sent).toEqual([]);
  });

  it("does nothing when not framed", () => {
    const f = fakeFrame();
    const alone: Frame = { ...f.frame, parent: null };
    let called = false;
    let listener: ((e: MessageEvent) => void) | undefined;
    answerHellos({ ...alone, addEventListener: (_t, fn) => (listener = fn) }, () => (called = true));
    listener!({ source: null, origin: "https://www.acme.example", data: { type: helloType } } as MessageEvent);
    expect(called).toBe(false);
  });
});

describe("help.js", () => {
  it("finds the portal beside its own script", () => {
    expect(portalBase("https://help.acme.example/portal/help.js").href).toBe("https://help.acme.example/portal/");
  });
  it("takes messages only from the portal's origin and its own frame", () => {
    const frame = {};
    expect(accepts({ origin: "https://help.acme.example", source: frame as Window }, "https://help.acme.example", frame)).toBe(true);
    expect(accepts({ origin: "https://evil.example", source: frame as Window }, "https://help.acme.example", frame)).toBe(false);
    expect(accepts({ origin: "https://help.acme.example", source: {} as Window }, "https://help.acme.example", frame)).toBe(false);
    expect(accepts({ origin: "https://help.acme.example", source: null }, "https://help.acme.example", null)).toBe(false);
  });
  it("shows no badge for 0 and caps it", () => {
    expect(countText(0)).toBe("");
    expect(countText(2)).toBe("2");
    expect(countText(120)).toBe("99+");
  });
});
