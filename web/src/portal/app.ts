import { createApp } from "vue";
import { createRouter, createWebHashHistory } from "vue-router";
import App from "./App.vue";
import SignIn from "./pages/SignIn.vue";
import Tickets from "./pages/Tickets.vue";
import { applyBrand, brand } from "./brand";
import { api, state, whenSignedOut } from "./state";
import "./portal.css";

export function start() {
  const router = createRouter({
    history: createWebHashHistory(),
    routes: [
      { path: "/signin", name: "signin", component: SignIn, meta: { public: true, title: "Sign in" } },
      { path: "/", name: "tickets", component: Tickets, meta: { title: "My requests" } },
      { path: "/tickets/new", name: "new", component: () => import("./pages/NewTicket.vue"), meta: { title: "New request" } },
      { path: "/tickets/:id", name: "ticket", component: () => import("./pages/Ticket.vue"), meta: { title: "Request" } },
      { path: "/:rest(.*)*", redirect: "/" },
    ],
  });
  router.beforeEach((to) => {
    if (!to.meta.public && !state.signedIn) return { name: "signin", query: to.fullPath === "/" ? {} : { next: to.fullPath } };
    if (to.name === "signin" && state.signedIn && !to.query.token) return "/";
  });
  router.afterEach((to, from) => {
    document.title = `${String(to.meta.title ?? "")} - ${state.tenant.name}`;
    // Focus the new page's heading, as a screen reader expects after navigation.
    if (to.path !== from.path && from.matched.length) requestAnimationFrame(() => (document.querySelector("h1") as HTMLElement | null)?.focus());
  });
  whenSignedOut(() => void router.push({ name: "signin" }));

  applyBrand(brand());
  void api.GET("/portal/api/tenant").then(({ data }) => {
    if (!data) return; // not served (yet): the default look
    state.tenant.name = data.name;
    state.tenant.logo_url = data.logo_url;
    applyBrand(brand(data.primary_color, data.accent_color));
    document.title = document.title.replace(/ - .*$/, ` - ${data.name}`);
  }).catch(() => {});

  createApp(App).use(router).mount("#app");
}
