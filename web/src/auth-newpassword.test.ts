import { describe, expect, it } from "vitest";
import { Auth, NewPasswordRequired, type AuthDeps } from "./auth";

const cfg = { region: "us-east-1", userPoolId: "us-east-1_pool", clientId: "client1", endpoint: "https://cognito.test" };

// An invited user's first sign-in, as the user pool answers it: the
// temporary password gives the NEW_PASSWORD_REQUIRED challenge and a session;
// RespondToAuthChallenge with that session and a new password gives tokens.
describe("first sign-in with a temporary password", () => {
  it("asks for a new password, then signs in with the challenge's session", async () => {
    const calls: { target: string; body: any }[] = [];
    const fetchFn = (async (_url: string, init: RequestInit) => {
      const target = String((init.headers as Record<string, string>)["X-Amz-Target"]).split(".").pop()!;
      const body = JSON.parse(String(init.body));
      calls.push({ target, body });
      const json = (v: unknown) => new Response(JSON.stringify(v), { status: 200 });
      if (target === "InitiateAuth") return json({ ChallengeName: "NEW_PASSWORD_REQUIRED", Session: "sess-1", ChallengeParameters: {} });
      return json({ AuthenticationResult: { AccessToken: "access1", IdToken: "id1", RefreshToken: "refresh1", ExpiresIn: 3600 } });
    }) as unknown as typeof fetch;
    const store = new Map<string, string>();
    const deps: AuthDeps = {
      fetch: fetchFn,
      storage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => void store.set(k, v), removeItem: (k) => void store.delete(k) },
      now: () => 1_000_000,
      setTimer: () => 0,
      clearTimer: () => {},
    };
    const a = new Auth(cfg, deps);
    const err = await a.signIn("omar@acme.example", "Temporary-1").catch((e) => e);
    expect(err).toBeInstanceOf(NewPasswordRequired);
    expect(a.signedIn).toBe(false);
    await a.completeNewPassword(err as NewPasswordRequired, "Omars-Own-1");
    expect(a.signedIn).toBe(true);
    expect(await a.token()).toBe("access1");
    expect(calls[1]).toEqual({
      target: "RespondToAuthChallenge",
      body: { ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: "client1", Session: "sess-1", ChallengeResponses: { USERNAME: "omar@acme.example", NEW_PASSWORD: "Omars-Own-1" } },
    });
  });
});
