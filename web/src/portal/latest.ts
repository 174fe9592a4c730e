// latest keeps only the newest of overlapping loads: a list asked for one
// tab, then another, must not show the first tab's answer when it comes
// back last (a search reads conversations and answers slower).
export function latest() {
  let seq = 0;
  return async function run<T>(load: () => Promise<T>): Promise<{ current: boolean; value: T }> {
    const mine = ++seq;
    const value = await load();
    return { current: mine === seq, value };
  };
}
