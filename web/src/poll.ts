// Live updates. One desk clock per tab: every `pollEvery` ms, while the tab
// is visible, it asks GET /api/changes with the ETag of its last answer; the
// API answers 304 while no ticket changed (one small read). When the clock
// moved, deskVersion goes up and every usePoll loader runs again, so the
// sidebar counts, the list and the open ticket are read only when something
// changed, not every five seconds.
import { onBeforeUnmount, onMounted, ref, watch } from "vue";
import { api } from "./session";

export const pollEvery = 5000;

// deskVersion moves when the desk clock moved since the last poll.
export const deskVersion = ref(0);

let etag: string | undefined;
let timer: ReturnType<typeof setTimeout> | undefined;
let users = 0;

// clockTick polls the desk clock once and schedules the next poll.
export async function clockTick() {
  clearTimeout(timer);
  if (users === 0) return;
  if (document.visibilityState !== "hidden" && api.value) {
    try {
      const headers: Record<string, string> = etag ? { "If-None-Match": etag } : {};
      const { response } = await api.value.client.GET("/api/changes", { headers, parseAs: "stream" });
      if (response.status === 200) {
        const next = response.headers.get("ETag") ?? undefined;
        if (etag !== undefined && next !== etag) deskVersion.value++;
        etag = next;
      }
      await response.body?.cancel();
    } catch {
      // A failed poll is retried at the next tick.
    }
  }
  if (users > 0) timer = setTimeout(clockTick, pollEvery);
}

const onVisible = () => {
  if (document.visibilityState === "visible") {
    deskVersion.value++; // back from a hidden tab: catch up at once
    void clockTick();
  }
};

// usePoll runs fn now, whenever the desk clock moves, and when a hidden tab
// comes back, while the component lives. now() runs it at once (after the
// agent's own change).
export function usePoll(fn: () => Promise<unknown> | void) {
  let stopped = false;
  const run = async () => {
    if (stopped) return;
    try {
      await fn();
    } catch {
      // Retried when the clock next moves.
    }
  };
  const stop = watch(deskVersion, () => void run());
  onMounted(() => {
    if (users++ === 0) {
      document.addEventListener("visibilitychange", onVisible);
      timer = setTimeout(clockTick, 0);
    }
    void run();
  });
  onBeforeUnmount(() => {
    stopped = true;
    stop();
    if (--users === 0) {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    }
  });
  return { now: run };
}
