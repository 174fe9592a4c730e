// The customer portal's entry. The #/badge route (the help button's hidden
// frame) answers its count without loading Vue; every other route loads the
// app.
import { createPortalApi } from "./api/client";
import { runBadge, windowFrame as frame } from "./embed";
import { readSession } from "./session";

if (location.hash.startsWith("#/badge")) {
  const api = createPortalApi({ baseUrl: location.origin, session: () => readSession() });
  runBadge(frame(), async () => {
    if (!readSession()) return 0;
    const { data } = await api.GET("/portal/api/me");
    return data?.replies_since_visit ?? 0;
  });
} else {
  void import("./app").then((m) => m.start());
}
