import { describe, expect, it } from "vitest";
import { Auth, AuthError, refreshAhead, type AuthDeps } from "./auth";

const cfg = { region: "us-east-1", userPoolId: "us-east-1_pool", clientId: "client1", endpoint: "https://cognito.test" };

// fakeCognito answers Cognito's JSON API as the user pool does: a password
// sign-in gives three tokens, a refresh gives new access and ID tokens,
// GlobalSignOut revokes the refresh token.
function fakeCognito() {
  const calls: { target: string; body: any }[] = [];
  const revoked = new Set<string>();
  let n = 0;
  const fetchFn = (async (url: string, init: RequestInit) => {
    const target = String((init.headers as Record<string, string>)["X-Amz-Target"]);
    const body = JSON.parse(String(init.body));
    calls.push({ target, body });
    expect(url).toBe("https://cognito.test/");
    const json = (status: number, v: unknown) => new Response(JSON.stringify(v), { status });
    if (target.endsWith(".InitiateAuth") && body.AuthFlow === "USER_PASSWORD_AUTH") {
      if (body.AuthParameters.PASSWORD !== "right") return json(400, { __type: "NotAuthorizedException", message: "Incorrect username or password." });
      n++;
      return json(200, { AuthenticationResult: { AccessToken: `access${n}`, IdToken: `id${n}`, RefreshToken: "refresh1", ExpiresIn: 3600 } });
    }
    if (target.endsWith(".InitiateAuth") && body.AuthFlow === "REFRESH_TOKEN_AUTH") {
      if (revoked.has(body.AuthParameters.REFRESH_TOKEN)) return json(400, { __type: "NotAuthorizedException", message: "Refresh Token has been revoked" });
      n++;
      return json(200, { AuthenticationResult: { AccessToken: `access${n}`, IdToken: `id${n}`, ExpiresIn: 3600 } });
    }
    if (target.endsWith(".GlobalSignOut")) {
      revoked.add("refresh1");
      return json(200, {});
    }
    return json(400, { __type: "InvalidAction" });
  }) as unknown as typeof globalThis.fetch;
  return { fetch: fetchFn, calls, revoked };
}

// fakeDeps: a clock and timers the test moves, and a Map as sessionStorage.
function fakeDeps(fetch: typeof globalThis.fetch) {
  const store = new Map<string, string>();
  let now = 1_000_000;
  const timers = new Map<number, { at: number; fn: () => void }>();
  let id = 0;
  const deps: AuthDeps = {
    fetch,
    storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
    now: () => now,
    setTimer: (fn, ms) => {
      timers.set(++id, { at: now + ms, fn });
      return id;
    },
    clearTimer: (t) => void timers.delete(t as number),
  };
  const advance = async (ms: number) => {
    now += ms;
    for (const [k, t] of [...timers]) {
      if (t.at <= now) {
        timers.delete(k);
        t.fn();
      }
    }
    await new Promise((r) => setTimeout(r, 0));
  };
  return { deps, store, advance, timers };
}

describe("Auth", () => {
  it("signs in with USER_PASSWORD_AUTH and keeps the tokens in sessionStorage", async () => {
    const c = fakeCognito();
    const { deps, store } = fakeDeps(c.fetch);
    const a = new Auth(cfg, deps);
    await a.signIn("alice@acme.example", "right");
    expect(c.calls[0].target).toBe("AWSCognitoIdentityProviderService.InitiateAuth");
    expect(c.calls[0].body).toEqual({ AuthFlow: "USER_PASSWORD_AUTH", ClientId: "client1", AuthParameters: { USERNAME: "alice@acme.example", PASSWORD: "right" } });
    expect(await a.token()).toBe("access1");
    // A reload (a new Auth on the same storage) is still signed in.
    const again = new Auth(cfg, deps);
    expect(again.signedIn).toBe(true);
    expect(await again.token()).toBe("access1");
    expect(JSON.parse(store.get("stackdesk.auth")!).refreshToken).toBe("refresh1");
  });

  it("refuses a wrong password with Cognito's reason", async () => {
    const { deps } = fakeDeps(fakeCognito().fetch);
    const a = new Auth(cfg, deps);
    await expect(a.signIn("alice@acme.example", "wrong")).rejects.toThrowError(AuthError);
    expect(a.signedIn).toBe(false);
  });

  it("refreshes silently before the access token expires, keeping the refresh token", async () => {
    const c = fakeCognito();
    const { deps, advance } = fakeDeps(c.fetch);
    const a = new Auth(cfg, deps);
    await a.signIn("alice@acme.example", "right");
    await advance(3600_000 - refreshAhead - 1);
    expect(c.calls.length).toBe(1); // not yet
    await advance(2);
    expect(c.calls[1].body).toEqual({ AuthFlow: "REFRESH_TOKEN_AUTH", ClientId: "client1", AuthParameters: { REFRESH_TOKEN: "refresh1" } });
    expect(await a.token()).toBe("access2");
    // And again an hour later, with the same refresh token.
    await advance(3600_000);
    expect(c.calls[2].body.AuthParameters.REFRESH_TOKEN).toBe("refresh1");
    expect(await a.token()).toBe("access3");
  });

  it("refreshes on demand once for concurrent callers when the timer did not fire (a sleeping tab)", async () => {
    const c = fakeCognito();
    const { deps, timers } = fakeDeps(c.fetch);
    const a = new Auth(cfg, deps);
    await a.signIn("alice@acme.example", "right");
    timers.clear();
    const skip = deps.now;
    deps.now = () => skip() + 3600_000 - 10_000; // 10 s before expiry
    const [t1, t2] = await Promise.all([a.token(), a.token()]);
    expect([t1, t2]).toEqual(["access2", "access2"]);
    expect(c.calls.filter((x) => x.body.AuthFlow === "REFRESH_TOKEN_AUTH").length).toBe(1);
  });

  it("signs out with GlobalSignOut: the refresh token is revoked and the state cleared", async () => {
    const c = fakeCognito();
    const { deps, store, timers } = fakeDeps(c.fetch);
    const a = new Auth(cfg, deps);
    const seen: (string | null)[] = [];
    a.onChange((t) => seen.push(t?.accessToken ?? null));
    await a.signIn("alice@acme.example", "right");
    await a.signOut();
    expect(c.calls.at(-1)).toEqual({ target: "AWSCognitoIdentityProviderService.GlobalSignOut", body: { AccessToken: "access1" } });
    expect(c.revoked.has("refresh1")).toBe(true);
    expect(a.signedIn).toBe(false);
    expect(await a.token()).toBe(null);
    expect(store.size).toBe(0);
    expect(timers.size).toBe(0);
    expect(seen).toEqual(["access1", null]);
  });

  it("ends the session when the refresh token was revoked elsewhere", async () => {
    const c = fakeCognito();
    const { deps, advance } = fakeDeps(c.fetch);
    const a = new Auth(cfg, deps);
    await a.signIn("alice@acme.example", "right");
    c.revoked.add("refresh1");
    await advance(3600_000);
    expect(a.signedIn).toBe(false);
  });
});
