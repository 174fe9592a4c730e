import { describe, expect, it } from "vitest";
import { createApi, itemKey } from "./client";

// recorder is a fetch that answers each request from a script and keeps
// the requests, as the agent API would see them.
function recorder(answer: (req: Request) => Response) {
  const seen: Request[] = [];
  const fetch = (async (input: Request) => {
    seen.push(input.clone());
    return answer(input);
  }) as unknown as typeof globalThis.fetch;
  return { seen, fetch };
}
const ticket = (version: number, owner = "") => ({
  id: "42", subject: "Printer on fire", pipeline: "support", status: "new", state: "open", ticket_type: "question",
  channel_id: "contact-form", channel_kind: "form", contact_id: "c1", unread: false, message_count: 1,
  created_at: "2026-11-30T08:00:00Z", updated_at: "2026-11-30T08:00:00Z", version, owner_id: owner,
});
const json = (status: number, body: unknown, etag?: string) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...(etag ? { ETag: etag } : {}) } });

describe("itemKey", () => {
  it("names the item a path is about", () => {
    expect(itemKey("/api/tickets/42")).toBe("/api/tickets/42");
    expect(itemKey("/api/tickets/42/replies")).toBe("/api/tickets/42");
    expect(itemKey("/api/tickets/bulk")).toBe(null);
    expect(itemKey("/api/channels/email:support@acme.example")).toBe("/api/channels/email:support@acme.example");
    expect(itemKey("/api/settings")).toBe("/api/settings");
    expect(itemKey("/api/views")).toBe(null);
  });
});

describe("createApi", () => {
  it("sends the bearer token and the ETag it read as If-Match on a change", async () => {
    const r = recorder((req) => (req.method === "GET" ? json(200, { ticket: ticket(3) }, '"3"') : json(200, ticket(4, "bob"), '"4"')));
    const api = createApi({ baseUrl: "http://api.test", token: async () => "tok", fetch: r.fetch });
    await api.client.GET("/api/tickets/{id}", { params: { path: { id: "42" } } });
    expect(r.seen[0].headers.get("Authorization")).toBe("Bearer tok");
    expect(r.seen[0].headers.get("If-Match")).toBe(null); // reads send none
    const { data } = await api.client.PATCH("/api/tickets/{id}", { params: { path: { id: "42" } }, body: { owner_id: "bob" } });
    expect(r.seen[1].headers.get("If-Match")).toBe('"3"');
    expect(data?.owner_id).toBe("bob");
    // The change's answer carries the new version, which the next change sends.
    expect(api.etag("/api/tickets/42")).toBe('"4"');
    await api.client.PATCH("/api/tickets/{id}", { params: { path: { id: "42" } }, body: { priority: "high" } });
    expect(r.seen[2].headers.get("If-Match")).toBe('"4"');
  });

  it("keeps the version a reply moved the ticket to, and sends no If-Match on the reply itself", async () => {
    const r = recorder((req) =>
      req.url.endsWith("/replies") ? json(201, { id: "m1" }, '"7"') : json(200, ticket(8), '"8"'),
    );
    const api = createApi({ baseUrl: "http://api.test", token: async () => "tok", fetch: r.fetch });
    await api.client.POST("/api/tickets/{id}/replies", { params: { path: { id: "42" } }, body: { text: "On it" } });
    expect(r.seen[0].headers.get("If-Match")).toBe(null);
    await api.client.PATCH("/api/tickets/{id}", { params: { path: { id: "42" } }, body: { status: "open" } });
    expect(r.seen[1].headers.get("If-Match")).toBe('"7"');
  });

  it("on 412 hands back the other agent's ticket and remembers its version", async () => {
    let first = true;
    const r = recorder(() => {
      if (first) {
        first = false;
        return json(412, { error: { code: "stale", message: "changed" }, ticket: ticket(5, "chloe") }, '"5"');
      }
      return json(200, ticket(6, "alice"), '"6"');
    });
    const api = createApi({ baseUrl: "http://api.test", token: async () => "tok", fetch: r.fetch });
    const res = await api.client.PATCH("/api/tickets/{id}", {
      params: { path: { id: "42" }, header: { "If-Match": '"4"' } },
      body: { owner_id: "alice" },
    });
    expect(res.response.status).toBe(412);
    expect((res.error as any).ticket.owner_id).toBe("chloe");
    expect(api.etag("/api/tickets/42")).toBe('"5"');
    await api.client.PATCH("/api/tickets/{id}", { params: { path: { id: "42" } }, body: { owner_id: "alice" } });
    expect(r.seen[1].headers.get("If-Match")).toBe('"5"');
  });

  it("tells the session on 401 and sends no Authorization when signed out", async () => {
    let told = 0;
    const r = recorder(() => json(401, { error: { code: "unauthorised", message: "no token" } }));
    const api = createApi({ baseUrl: "http://api.test", token: async () => null, fetch: r.fetch, onUnauthorised: () => told++ });
    await api.client.GET("/api/me");
    expect(r.seen[0].headers.get("Authorization")).toBe(null);
    expect(told).toBe(1);
  });
});
