// After a 202 (a reply, a new ticket, close, reopen) the message is on its
// way through the ticket pipeline: GET /portal/api/receipts/{id} answers
// 404 until it has landed, then names its ticket. waitFor polls such a check
// with a growing pause until it gives a value or the time is up.

export interface PollOptions {
  // first pause, then ×1.5 each try up to maxPause
  pause?: number;
  maxPause?: number;
  // give up after this long (ms) and resolve null
  timeout?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  signal?: AbortSignal;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// waitFor runs check until it returns something other than undefined (a
// thrown error is a failed try, retried). null when the time is up or the
// signal aborted.
export async function waitFor<T>(check: () => Promise<T | undefined>, o: PollOptions = {}): Promise<T | null> {
  const sleep = o.sleep ?? realSleep;
  const now = o.now ?? Date.now;
  const end = now() + (o.timeout ?? 30000);
  let pause = o.pause ?? 300;
  for (;;) {
    if (o.signal?.aborted) return null;
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch {
      // retried below
    }
    if (now() + pause > end || o.signal?.aborted) return null;
    await sleep(pause);
    pause = Math.min(pause * 1.5, o.maxPause ?? 2000);
  }
}

// Landed is a receipt: the ticket, and the id the message shows under in
// its conversation (the router names it: not the id the 202 gave).
export interface Landed {
  ticket: string;
  shownAs?: string;
}

export interface ReceiptApi {
  // where it landed, or undefined while the receipt is 404
  receipt(messageId: string): Promise<Landed | undefined>;
  // the message ids the ticket shows now
  messageIds(ticketId: string): Promise<string[]>;
}

// landed waits until the message is in a ticket and shows in it; it returns
// the ticket id (null when it did not show in time).
export async function landed(api: ReceiptApi, messageId: string, o: PollOptions = {}): Promise<string | null> {
  const r = await waitFor(() => api.receipt(messageId), o);
  if (r === null) return null;
  const id = r.shownAs ?? messageId;
  const shown = await waitFor(async () => ((await api.messageIds(r.ticket)).includes(id) ? true : undefined), o);
  return shown ? r.ticket : null;
}
