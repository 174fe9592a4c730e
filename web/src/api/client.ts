// The agent API client: openapi-fetch over the types generated from
// shared/api/agent/openapi.yaml (schema.d.ts, `npm run gen`), with the
// bearer token on every request and the ETag/If-Match dance done once here:
// every ETag an item's response carries is remembered, and a change to that
// item (PATCH, PUT, DELETE, split, merge, unmerge) sends it as If-Match, so a
// change decided on a stale copy is refused (412) instead of overwriting.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type Ticket = Schemas["Ticket"];
export type TicketView = Schemas["TicketView"];
export type TimelineItem = Schemas["TimelineItem"];
export type ViewEntry = Schemas["ViewEntry"];
export type User = Schemas["User"];
export type Settings = Schemas["Settings"];
export type Me = Schemas["Me"];
export type ApiError = Schemas["Error"];

export interface ApiOptions {
  baseUrl: string;
  token: () => Promise<string | null>;
  onUnauthorised?: () => void;
  fetch?: typeof fetch;
}

// itemKey names the item a path is about, the unit ETags are kept by:
// /api/tickets/42/replies -> /api/tickets/42.
export function itemKey(path: string): string | null {
  const m = /\/api\/(?:(tickets|channels|users|teams)\/([^/?]+)|(settings))/.exec(path);
  if (!m) return null;
  if (m[3]) return "/api/settings";
  if (m[1] === "tickets" && !/^[0-9]+$/.test(m[2])) return null; // /api/tickets/bulk, /delete
  return `/api/${m[1]}/${m[2]}`;
}

// sendsIfMatch: the operations whose OpenAPI takes If-Match.
function sendsIfMatch(method: string, path: string): boolean {
  if (method === "PATCH" || method === "PUT" || method === "DELETE") return !/\/read$|\/unread$|\/followers$/.test(path);
  return method === "POST" && /\/api\/tickets\/[0-9]+\/(split|merge|unmerge)$/.test(path);
}

export function createApi(opts: ApiOptions) {
  const etags = new Map<string, string>();
  const client = createClient<paths>({ baseUrl: opts.baseUrl, fetch: opts.fetch });
  const mw: Middleware = {
    async onRequest({ request }) {
      const token = await opts.token();
      if (token) request.headers.set("Authorization", `Bearer ${token}`);
      const path = new URL(request.url, "http://x").pathname;
      const key = itemKey(path);
      if (key && !request.headers.has("If-Match") && sendsIfMatch(request.method, path)) {
        const et = etags.get(key);
        if (et) request.headers.set("If-Match", et);
      }
      return request;
    },
    async onResponse({ request, response }) {
      // An ETag is the version of the ticket the answer is about: after a
      // redirect (a merged ticket's page) the ticket redirected to; a merge's
      // is the primary's and a split's the new ticket's, so what was known of
      // the path's ticket is dropped instead (it changed; it is read again).
      const path = new URL(response.redirected && response.url ? response.url : request.url, "http://x").pathname;
      let key = itemKey(path);
      if (key && request.method === "POST" && /\/(merge|split)$/.test(path)) {
        etags.delete(key);
        key = null;
      }
      const et = response.headers.get("ETag");
      if (key && et) etags.set(key, et);
      if (key && request.method === "DELETE" && response.status === 204) etags.delete(key);
      if (response.status === 401) opts.onUnauthorised?.();
      return response;
    },
  };
  client.use(mw);
  return {
    client,
    etag: (key: string) => etags.get(key),
    // forget drops what is known of an item, so the next change goes without If-Match.
    forget: (key: string) => etags.delete(key),
  };
}

export type Api = ReturnType<typeof createApi>;

// message gives the reason of an API error body, or a fallback.
export function errorMessage(err: unknown, fallback = "Something went wrong."): string {
  const e = (err as ApiError | undefined)?.error;
  return e?.message || e?.reason || fallback;
}
