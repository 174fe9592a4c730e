// usePoll runs fn now and every `every` ms while the component lives and
// the tab is visible (a hidden tab costs nothing); it catches up on return.
import { onBeforeUnmount, onMounted } from "vue";

export const pollEvery = 5000;

export function usePoll(fn: () => Promise<unknown> | void, every = pollEvery) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const tick = async () => {
    clearTimeout(timer);
    if (stopped) return;
    if (document.visibilityState !== "hidden") {
      try {
        await fn();
      } catch {
        // A failed poll is retried at the next tick.
      }
    }
    if (!stopped) timer = setTimeout(tick, every);
  };
  const onVisible = () => {
    if (document.visibilityState === "visible") void tick();
  };
  onMounted(() => {
    document.addEventListener("visibilitychange", onVisible);
    void tick();
  });
  onBeforeUnmount(() => {
    stopped = true;
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisible);
  });
  return { now: tick };
}
