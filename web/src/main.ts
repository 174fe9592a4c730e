import { createApp } from "vue";
import { createRouter, createWebHistory } from "vue-router";
import App from "./App.vue";
import SignIn from "./pages/SignIn.vue";
import { loadConfig } from "./config";
import { session, startSession } from "./session";
import "./style.css";

async function main() {
  const root = document.getElementById("app")!;
  let cfg;
  try {
    cfg = await loadConfig();
  } catch (e) {
    root.innerHTML = `<main><h1>Stackdesk</h1><p role="alert">The console could not read its configuration: ${String(e).replace(/</g, "&lt;")}</p></main>`;
    return;
  }
  const router = createRouter({
    history: createWebHistory(),
    routes: [
      { path: "/sign-in", name: "sign-in", component: SignIn, meta: { public: true } },
      {
        path: "/",
        component: () => import("./pages/Shell.vue"),
        children: [
          { path: "", redirect: "/views/my_open" },
          { path: "views/:view", name: "view", component: () => import("./pages/TicketList.vue") },
          { path: "tickets/:id", name: "ticket", component: () => import("./pages/TicketPage.vue") },
          // Admin pages (pages/admin): the API refuses non-admins; the sidebar shows them to admins.
          { path: "admin/channels", name: "admin-channels", component: () => import("./pages/admin/AdminChannels.vue") },
          { path: "admin/channels/:id", name: "admin-channel", component: () => import("./pages/admin/AdminChannel.vue") },
          { path: "admin/users", name: "admin-users", component: () => import("./pages/admin/AdminUsers.vue") },
          { path: "admin/users/:id", name: "admin-user", component: () => import("./pages/admin/AdminUser.vue") },
          { path: "admin/teams", name: "admin-teams", component: () => import("./pages/admin/AdminTeams.vue") },
          { path: "admin/teams/:id", name: "admin-team", component: () => import("./pages/admin/AdminTeam.vue") },
          { path: "admin/settings", name: "admin-settings", component: () => import("./pages/admin/AdminSettings.vue") },
          { path: "admin/views", name: "admin-views", component: () => import("./pages/admin/AdminViews.vue") },
          { path: "filtered", name: "filtered", component: () => import("./pages/FilteredPage.vue") },
          { path: "search", name: "search", component: () => import("./pages/SearchPage.vue") },
          { path: "reports/csat", name: "csat-report", component: () => import("./pages/CsatReport.vue") },
          { path: "reports/sla", name: "sla-report", component: () => import("./pages/SlaReport.vue") },
          { path: "me/notifications", name: "my-notifications", component: () => import("./pages/NotificationSettings.vue") },
        ],
      },
      { path: "/:rest(.*)*", redirect: "/" },
    ],
  });
  startSession(cfg, () => {
    if (router.currentRoute.value.name !== "sign-in") {
      void router.push({ name: "sign-in", query: { next: router.currentRoute.value.fullPath } });
    }
  });
  router.beforeEach((to) => {
    if (!to.meta.public && !session.signedIn) return { name: "sign-in", query: { next: to.fullPath } };
    if (to.name === "sign-in" && session.signedIn) return "/";
  });
  router.afterEach((to, from) => {
    // Move focus to the new page's heading, as a screen reader expects after
    // navigation (not when only the query changed: sort, order, page).
    if (to.path !== from.path) requestAnimationFrame(() => (document.querySelector("h1") as HTMLElement | null)?.focus?.());
  });
  createApp(App).use(router).mount(root);
}

void main();
