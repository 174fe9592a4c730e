// Signing in with the stack's Cognito user pool, straight from the browser:
// InitiateAuth (USER_PASSWORD_AUTH) and the refresh and sign-out calls are
// unsigned JSON requests to Cognito's endpoint, no SDK needed. Tokens live in
// memory and in sessionStorage (a reload keeps the session, closing the tab
// ends it); they are refreshed with REFRESH_TOKEN_AUTH before they expire.
import type { CognitoConfig } from "./config";

export interface Tokens {
  accessToken: string;
  idToken: string;
  refreshToken?: string;
  expiresAt: number; // ms since the epoch
  email: string;
}

export interface AuthDeps {
  fetch: typeof fetch;
  storage: Pick<Storage, "getItem" | "setItem" | "removeItem">;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (t: unknown) => void;
}

export class AuthError extends Error {
  constructor(
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

// NewPasswordRequired: an invited user's first sign-in, with the temporary
// password the pool emailed; completeNewPassword finishes it.
export class NewPasswordRequired extends AuthError {
  constructor(
    public email: string,
    public session: string,
  ) {
    super("NEW_PASSWORD_REQUIRED", "Choose a new password: the one you signed in with was temporary.");
  }
}

const storageKey = "stackdesk.auth";
// Refresh this long before the access token expires (Cognito's last 1 h).
export const refreshAhead = 5 * 60 * 1000;

export class Auth {
  private tokens: Tokens | null = null;
  private timer: unknown = null;
  private refreshing: Promise<Tokens | null> | null = null;
  private listeners = new Set<(t: Tokens | null) => void>();

  constructor(
    private cfg: CognitoConfig,
    private deps: AuthDeps = browserDeps(),
  ) {
    const saved = deps.storage.getItem(storageKey);
    if (saved) {
      try {
        this.tokens = JSON.parse(saved) as Tokens;
        this.schedule();
      } catch {
        deps.storage.removeItem(storageKey);
      }
    }
  }

  get signedIn(): boolean {
    return this.tokens !== null;
  }
  get email(): string {
    return this.tokens?.email ?? "";
  }

  onChange(fn: (t: Tokens | null) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async signIn(email: string, password: string): Promise<void> {
    if (this.cfg.endpoint === "local") {
      // The local stack's own sign-in (POST /local/token): no refresh token.
      const res = await this.deps.fetch("/local/token", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok) throw new AuthError("NotAuthorizedException", body?.error?.message ?? "Wrong email or password.");
      this.set({ accessToken: body.access_token, idToken: body.id_token, expiresAt: this.deps.now() + body.expires_in * 1000, email });
      return;
    }
    const out = await this.call("InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: this.cfg.clientId,
      AuthParameters: { USERNAME: email, PASSWORD: password },
    });
    if (out.ChallengeName === "NEW_PASSWORD_REQUIRED" && out.Session) throw new NewPasswordRequired(email, out.Session);
    if (out.ChallengeName) {
      throw new AuthError(out.ChallengeName, `Cognito asks for ${out.ChallengeName}, which the console does not handle yet.`);
    }
    this.set(this.fromResult(out.AuthenticationResult, email, undefined));
  }

  // completeNewPassword answers the pool's NEW_PASSWORD_REQUIRED challenge
  // with the user's own password, and signs them in.
  async completeNewPassword(c: NewPasswordRequired, newPassword: string): Promise<void> {
    const out = await this.call("RespondToAuthChallenge", {
      ChallengeName: "NEW_PASSWORD_REQUIRED",
      ClientId: this.cfg.clientId,
      Session: c.session,
      ChallengeResponses: { USERNAME: c.email, NEW_PASSWORD: newPassword },
    });
    if (out.ChallengeName) throw new AuthError(out.ChallengeName, `Cognito asks for ${out.ChallengeName}, which the console does not handle yet.`);
    this.set(this.fromResult(out.AuthenticationResult, c.email, undefined));
  }

  // token is the access token to send, refreshed first when it is about to expire.
  async token(): Promise<string | null> {
    const t = this.tokens;
    if (!t) return null;
    if (t.expiresAt - this.deps.now() > refreshAhead / 5) return t.accessToken;
    const fresh = await this.refresh();
    return fresh?.accessToken ?? null;
  }

  // refresh renews the tokens once, however many callers ask at the same time.
  refresh(): Promise<Tokens | null> {
    if (!this.refreshing) {
      this.refreshing = this.doRefresh().finally(() => {
        this.refreshing = null;
      });
    }
    return this.refreshing;
  }

  private async doRefresh(): Promise<Tokens | null> {
    const t = this.tokens;
    if (!t) return null;
    if (!t.refreshToken) {
      if (t.expiresAt <= this.deps.now()) this.clear();
      return this.tokens;
    }
    try {
      const out = await this.call("InitiateAuth", {
        AuthFlow: "REFRESH_TOKEN_AUTH",
        ClientId: this.cfg.clientId,
        AuthParameters: { REFRESH_TOKEN: t.refreshToken },
      });
      this.set(this.fromResult(out.AuthenticationResult, t.email, t.refreshToken));
      return this.tokens;
    } catch (e) {
      // A revoked or expired refresh token ends the session; a network
      // failure keeps it while the access token is still good.
      if (e instanceof AuthError || t.expiresAt <= this.deps.now()) this.clear();
      else this.schedule(30_000);
      return this.tokens;
    }
  }

  // signOut revokes every token of the user (GlobalSignOut), then forgets them.
  async signOut(): Promise<void> {
    const t = this.tokens;
    this.clear();
    if (!t || this.cfg.endpoint === "local") return;
    try {
      await this.call("GlobalSignOut", { AccessToken: t.accessToken });
    } catch {
      // Already revoked or expired: the session is over either way.
    }
  }

  private fromResult(r: CognitoResult | undefined, email: string, refreshToken: string | undefined): Tokens {
    if (!r?.AccessToken) throw new AuthError("InvalidResponse", "Cognito answered without tokens.");
    return {
      accessToken: r.AccessToken,
      idToken: r.IdToken ?? "",
      refreshToken: r.RefreshToken ?? refreshToken,
      expiresAt: this.deps.now() + (r.ExpiresIn ?? 3600) * 1000,
      email,
    };
  }

  private set(t: Tokens) {
    this.tokens = t;
    this.deps.storage.setItem(storageKey, JSON.stringify(t));
    this.schedule();
    this.listeners.forEach((fn) => fn(t));
  }

  private clear() {
    this.tokens = null;
    this.deps.storage.removeItem(storageKey);
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    this.listeners.forEach((fn) => fn(null));
  }

  private schedule(after?: number) {
    if (this.timer !== null) this.deps.clearTimer(this.timer);
    this.timer = null;
    const t = this.tokens;
    if (!t?.refreshToken) return;
    const wait = after ?? Math.max(0, t.expiresAt - refreshAhead - this.deps.now());
    this.timer = this.deps.setTimer(() => {
      this.timer = null;
      void this.refresh();
    }, wait);
  }

  private async call(action: string, body: unknown): Promise<CognitoResponse> {
    const url = this.cfg.endpoint.replace(/\/$/, "") + "/";
    const res = await this.deps.fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `AWSCognitoIdentityProviderService.${action}`,
      },
      body: JSON.stringify(body),
    });
    const out = (await res.json().catch(() => ({}))) as CognitoResponse & { __type?: string; message?: string };
    if (!res.ok) {
      const code = (out.__type ?? `HTTP${res.status}`).split("#").pop()!;
      throw new AuthError(code, out.message ?? `Cognito ${action} failed (${res.status}).`);
    }
    return out;
  }
}

interface CognitoResult {
  AccessToken?: string;
  IdToken?: string;
  RefreshToken?: string;
  ExpiresIn?: number;
}
interface CognitoResponse {
  AuthenticationResult?: CognitoResult;
  ChallengeName?: string;
  Session?: string;
}

function browserDeps(): AuthDeps {
  return {
    fetch: (...a) => fetch(...a),
    storage: sessionStorage,
    now: () => Date.now(),
    setTimer: (fn, ms) => setTimeout(fn, ms),
    clearTimer: (t) => clearTimeout(t as ReturnType<typeof setTimeout>),
  };
}
