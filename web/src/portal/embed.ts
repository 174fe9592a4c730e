// The portal's side of the help button (src/help/help.ts): the hidden
// #/badge frame answers the page that embeds it with the count of tickets
// an agent answered since the customer's last visit, and the portal shown
// in the button's panel asks that page to close it on Escape.
//
// Messages are accepted only from window.parent, from an origin on the same
// site as the portal (the tenant's website and its help subdomain: browsers
// partition a third-party frame's storage by top-level site anyway, so a
// frame on another site would find no session), and answered to that origin
// only.

export const helloType = "stackdesk-help:hello";
export const badgeType = "stackdesk-help:badge";
export const closeType = "stackdesk-help:close";

// site is a host's registrable domain, approximated by its last two labels
// (an IP address or a one-label host is its own site). Ports and schemes
// are compared by the caller.
export function site(host: string): string {
  if (/^[0-9.]+$/.test(host) || host.startsWith("[") || !host.includes(".")) return host;
  return host.split(".").slice(-2).join(".");
}

// sameSite: may a page at origin embed the portal at portalOrigin?
export function sameSite(origin: string, portalOrigin: string): boolean {
  let a: URL, b: URL;
  try {
    a = new URL(origin);
    b = new URL(portalOrigin);
  } catch {
    return false;
  }
  if (a.protocol !== "https:" && a.protocol !== "http:") return false;
  if (a.protocol !== b.protocol) return false;
  return site(a.hostname) === site(b.hostname);
}

export interface Frame {
  parent: { postMessage(data: unknown, targetOrigin: string): void } | null;
  origin: string; // the portal's own origin
  addEventListener(type: "message", fn: (e: MessageEvent) => void): void;
}

// answerHellos calls onHello(origin) for every hello from the parent on an
// allowed origin; the returned function posts a message to that origin.
export function answerHellos(frame: Frame, onHello: (reply: (data: unknown) => void, origin: string) => void) {
  frame.addEventListener("message", (e: MessageEvent) => {
    if (!frame.parent || e.source !== (frame.parent as unknown)) return;
    if ((e.data as { type?: string } | null)?.type !== helloType) return;
    if (!sameSite(e.origin, frame.origin)) return;
    const to = e.origin;
    onHello((data) => frame.parent!.postMessage(data, to), to);
  });
}

// runBadge is the #/badge route: on the parent's hello, read the customer's
// count (0 when signed out or on any failure) and the tenant's colour (for
// the button), and post them back.
export function runBadge(frame: Frame, count: () => Promise<number>, colour: () => Promise<string | undefined> = async () => undefined) {
  answerHellos(frame, (reply) => {
    void Promise.all([count().catch(() => 0), colour().catch(() => undefined)]).then(([n, c]) =>
      reply(c ? { type: badgeType, replies_since_visit: n, primary_color: c } : { type: badgeType, replies_since_visit: n }),
    );
  });
}

// windowFrame is this window as a Frame.
export function windowFrame(): Frame {
  return {
    parent: window.parent === window ? null : window.parent,
    origin: location.origin,
    addEventListener: (t, fn) => window.addEventListener(t, fn),
  };
}
