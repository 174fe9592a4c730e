// The customer portal's entry. The #/badge route (the help button's hidden
// frame) answers its count without loading Vue; every other route loads the
// app.
import { createPortalApi } from "./api/client";
import { answerHellos, closeType, runBadge, windowFrame as frame } from "./embed";
import { readSession } from "./session";

if (location.hash.startsWith("#/badge")) {
  const api = createPortalApi({ baseUrl: location.origin, session: () => readSession() });
  runBadge(frame(), async () => {
    if (!readSession()) return 0;
    const { data } = await api.GET("/portal/api/me");
    return data?.replies_since_visit ?? 0;
  }, async () => (await api.GET("/portal/api/tenant")).data?.primary_color);
} else {
  // Shown in the help button's panel: Escape asks the page to close it (a
  // key pressed in this frame never reaches the page's document). Listened
  // for before the app loads, as the page says hello on this frame's load.
  let askClose: ((data: unknown) => void) | null = null;
  answerHellos(frame(), (reply) => (askClose = reply));
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && askClose && !e.defaultPrevented) askClose({ type: closeType });
  });
  void import("./app").then((m) => m.start());
}
