// The portal API client: openapi-fetch over the types generated from
// shared/api/portal/openapi.yaml (schema.d.ts, `npm run gen`), with the
// session as Authorization: Bearer on every request.
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type TicketSummary = Schemas["TicketSummary"];
export type PublicMessage = Schemas["PublicMessage"];
export type Rating = Schemas["Rating"];
export type ApiError = Schemas["Error"];
export type PortalClient = ReturnType<typeof createClient<paths>>;

export interface ApiOptions {
  baseUrl: string;
  session: () => string | null;
  // onUnauthorised runs when a signed-in request answers 401 (the session
  // expired or was ended elsewhere).
  onUnauthorised?: () => void;
  fetch?: typeof fetch;
}

export function createPortalApi(opts: ApiOptions): PortalClient {
  const client = createClient<paths>({ baseUrl: opts.baseUrl, fetch: opts.fetch });
  const mw: Middleware = {
    onRequest({ request }) {
      const s = opts.session();
      if (s) request.headers.set("Authorization", `Bearer ${s}`);
      return request;
    },
    onResponse({ request, response }) {
      if (response.status === 401 && request.headers.has("Authorization")) opts.onUnauthorised?.();
      return response;
    },
  };
  client.use(mw);
  return client;
}

// reason is what a failed answer says, for the page to show.
export function reason(error: unknown, fallback = "Something went wrong. Please try again."): string {
  const e = (error as ApiError | undefined)?.error;
  return e?.message ? e.message.charAt(0).toUpperCase() + e.message.slice(1) : fallback;
}
