// The signed-in session shared by every page: config, auth, the API client
// and what the pages read once (who I am, the users, the settings).
import { reactive, ref, shallowRef } from "vue";
import { Auth } from "./auth";
import { createApi, type Api, type Me, type Schemas, type Settings, type User } from "./api/client";
import type { ConsoleConfig } from "./config";

export const session = reactive({
  tenantName: "",
  signedIn: false,
  email: "",
  me: null as Me | null,
  users: [] as User[],
  settings: null as Settings | null,
  // viewsVersion moves when a change here should refresh the sidebar now.
  viewsVersion: 0,
});

export const auth = shallowRef<Auth>();
export const api = shallowRef<Api>();

export function startSession(cfg: ConsoleConfig, onSignedOut: () => void) {
  session.tenantName = cfg.tenantName;
  const a = new Auth(cfg.cognito);
  auth.value = a;
  session.signedIn = a.signedIn;
  session.email = a.email;
  a.onChange((t) => {
    session.signedIn = t !== null;
    session.email = t?.email ?? "";
    if (!t) {
      session.me = null;
      onSignedOut();
    }
  });
  api.value = createApi({
    baseUrl: cfg.apiBaseUrl || location.origin, // "" is this origin
    token: () => a.token(),
    onUnauthorised: () => void a.signOut(),
  });
}

// signOut signs out for real: the API refuses every token issued before
// now (POST /api/me/sign-out: it checks tokens without the user pool), then
// the user pool revokes them and the tab forgets them.
export async function signOut() {
  try {
    await api.value?.client.POST("/api/me/sign-out");
  } catch {
    // Offline: the user pool's revocation and forgetting still happen.
  }
  await auth.value!.signOut();
}

// loadBasics reads who is signed in, the users (for owner lists) and the settings (statuses).
export async function loadBasics() {
  const c = api.value!.client;
  const [me, users, settings] = await Promise.all([c.GET("/api/me"), c.GET("/api/users"), c.GET("/api/settings")]);
  if (me.data) session.me = me.data;
  if (users.data) session.users = users.data.users;
  if (settings.data) session.settings = settings.data;
}

export function userName(id?: string): string {
  if (!id) return "Unassigned";
  return session.users.find((u) => u.id === id)?.name ?? id;
}

export function stagesOf(pipeline?: string) {
  const s = session.settings;
  if (!s) return [];
  const p = s.pipelines[pipeline ?? ""] ?? s.pipelines[s.defaults.pipeline ?? ""] ?? Object.values(s.pipelines)[0];
  return p?.stages ?? [];
}

export function statusName(pipeline: string | undefined, status: string): string {
  return stagesOf(pipeline).find((s) => s.id === status)?.name ?? status;
}

// The teams, read by the pages that name them (admin pages, reports).
export const teams = ref<Schemas["Team"][]>([]);
export async function loadTeams() {
  const { data } = await api.value!.client.GET("/api/teams");
  if (data) teams.value = data.teams;
}
export function teamName(id: string): string {
  return teams.value.find((t) => t.id === id)?.name ?? id;
}
