import { describe, expect, it } from "vitest";
import { createApi } from "./client";

// The ETags the client keeps are those of the ticket an answer is about,
// so the ticket actions (merge, split, unmerge) and the 307 of a merged
// ticket's page never send another ticket's version as If-Match.
const ticket = (id: string, version: number) => ({
  id, subject: "Lamp", pipeline: "support", status: "new", state: "open", ticket_type: "question",
  channel_id: "email", channel_kind: "email", contact_id: "c1", unread: false, message_count: 1,
  created_at: "2026-11-30T08:00:00Z", updated_at: "2026-11-30T08:00:00Z", version,
});
function answer(status: number, body: unknown, etag: string, redirectedTo?: string): Response {
  const r = new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ETag: etag } });
  if (redirectedTo) {
    Object.defineProperty(r, "redirected", { value: true });
    Object.defineProperty(r, "url", { value: redirectedTo });
  }
  return r;
}
function apiWith(answers: (req: Request) => Response) {
  const seen: Request[] = [];
  const fetch = (async (req: Request) => {
    seen.push(req.clone());
    return answers(req);
  }) as unknown as typeof globalThis.fetch;
  return { api: createApi({ baseUrl: "http://api.test", token: async () => "tok", fetch }), seen };
}

describe("ETags of the ticket actions", () => {
  it("keeps a merged ticket's redirected page's ETag for the ticket it leads to", async () => {
    const { api } = apiWith(() => answer(200, { ticket: ticket("9", 5) }, '"5"', "http://api.test/api/tickets/9"));
    await api.client.GET("/api/tickets/{id}", { params: { path: { id: "7" } } });
    expect(api.etag("/api/tickets/9")).toBe('"5"');
    expect(api.etag("/api/tickets/7")).toBe(undefined);
  });

  it("does not keep a merge's ETag (the primary's) for the ticket merged", async () => {
    const { api, seen } = apiWith((req) =>
      req.method === "GET" ? answer(200, { ticket: ticket("7", 3) }, '"3"') : answer(200, ticket("9", 12), '"12"'),
    );
    await api.client.GET("/api/tickets/{id}", { params: { path: { id: "7" } } });
    await api.client.POST("/api/tickets/{id}/merge", { params: { path: { id: "7" } }, body: { into: "9" } });
    expect(seen[1].headers.get("If-Match")).toBe('"3"');
    expect(api.etag("/api/tickets/7")).toBe(undefined);
    // So an unmerge of it next sends no version it never had.
    await api.client.POST("/api/tickets/{id}/unmerge", { params: { path: { id: "7" } } });
    expect(seen[2].headers.get("If-Match")).toBe(null);
  });

  it("does not keep a split's ETag (the new ticket's) for the ticket split", async () => {
    const { api, seen } = apiWith((req) =>
      req.method === "GET"
        ? answer(200, { ticket: ticket("7", 3) }, '"3"')
        : req.url.endsWith("/split")
          ? answer(201, { ticket: ticket("10", 1), source: ticket("7", 4) }, '"1"')
          : answer(200, ticket("7", 5), '"5"'),
    );
    await api.client.GET("/api/tickets/{id}", { params: { path: { id: "7" } } });
    await api.client.POST("/api/tickets/{id}/split", { params: { path: { id: "7" } }, body: { message_ids: ["m2"], subject: "Kettle" } });
    expect(seen[1].headers.get("If-Match")).toBe('"3"');
    await api.client.PATCH("/api/tickets/{id}", { params: { path: { id: "7" } }, body: { priority: "high" } });
    expect(seen[2].headers.get("If-Match")).not.toBe('"1"');
  });
});
