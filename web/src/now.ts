// A wall clock for what a page shows relative to now ("Due in 25 min"):
// the desk's poll (poll.ts) reloads data only when a ticket changed, so
// without it a badge would keep its minutes until then. One timer per tab,
// running while any component uses it.
import { onScopeDispose, ref } from "vue";

export const nowEvery = 30_000;

const now = ref(Date.now());
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

// useNow is the current time in ms, moved every nowEvery ms.
export function useNow() {
  users++;
  if (!timer) {
    now.value = Date.now();
    timer = setInterval(() => (now.value = Date.now()), nowEvery);
  }
  onScopeDispose(() => {
    if (--users === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  });
  return now;
}
