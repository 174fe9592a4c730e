// The portal's shared state: the API client, the session and the tenant.
import { reactive } from "vue";
import { createPortalApi } from "./api/client";
import { forgetSession, keepSession, readSession, type Stored } from "./session";

export const state = reactive({
  signedIn: readSession() !== null,
  tenant: { name: "Help center", logo_url: "" as string | undefined },
});

let onSignedOut: () => void = () => {};
export function whenSignedOut(fn: () => void) {
  onSignedOut = fn;
}

export const api = createPortalApi({
  baseUrl: location.origin,
  session: () => readSession(),
  onUnauthorised: () => {
    forgetSession();
    state.signedIn = false;
    onSignedOut();
  },
});

export function signedIn(s: Stored) {
  keepSession(s);
  state.signedIn = true;
}

export async function signOut() {
  try {
    await api.DELETE("/portal/api/session");
  } finally {
    forgetSession();
    state.signedIn = false;
  }
}

