// The customer's session id, kept in the portal origin's localStorage so a
// new tab, the help button's panel and its badge frame share it.
export const sessionKey = "stackdesk.portal.session";

export interface Stored {
  session: string;
  expires_at: string;
}

export function readSession(storage: Pick<Storage, "getItem"> = localStorage, now = Date.now()): string | null {
  try {
    const s = JSON.parse(storage.getItem(sessionKey) ?? "null") as Stored | null;
    if (!s || typeof s.session !== "string") return null;
    if (Date.parse(s.expires_at) <= now) return null;
    return s.session;
  } catch {
    return null;
  }
}

export function keepSession(s: Stored, storage: Pick<Storage, "setItem"> = localStorage) {
  storage.setItem(sessionKey, JSON.stringify({ session: s.session, expires_at: s.expires_at }));
}

export function forgetSession(storage: Pick<Storage, "removeItem"> = localStorage) {
  storage.removeItem(sessionKey);
}
