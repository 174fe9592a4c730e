// The reply window of Messenger and WhatsApp: free-form replies only within
// 24 h of the customer's last message (Messenger allows 7 days with the
// human-agent tag, which the API adds by itself). The API gives the
// ticket's last_customer_message_at; the window's ends follow from it, as
// shared/ticket/window.go decides them.
export const HOUR = 3_600_000;
export const STANDARD = 24 * HOUR;
export const HUMAN_AGENT = 7 * 24 * HOUR;

export interface ReplyWindow {
  level: "open" | "closing" | "tagged" | "closed";
  closesAt?: number;
  text: string;
}

function span(ms: number): string {
  const m = Math.max(0, Math.round(ms / 60_000));
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days ${h % 24} h`;
}

export function replyWindow(kind: string, lastCustomer: string | undefined, now = Date.now()): ReplyWindow {
  const name = kind === "whatsapp" ? "WhatsApp" : "Messenger";
  const last = lastCustomer ? Date.parse(lastCustomer) : NaN;
  if (Number.isNaN(last) || last <= 0 || lastCustomer!.startsWith("0001-")) {
    return { level: "closed", text: `The customer has not written on ${name} yet: ${name} only allows replies to a customer who wrote first.` };
  }
  const age = Math.max(0, now - last);
  if (age < STANDARD) {
    const closesAt = last + STANDARD;
    const left = closesAt - now;
    return {
      level: left < 2 * HOUR ? "closing" : "open",
      closesAt,
      text: `Reply window: ${span(left)} left (closes ${new Date(closesAt).toLocaleString()}).` +
        (kind === "whatsapp" ? " After it, WhatsApp refuses free-form replies." : " After it, Messenger replies go with the human-agent tag for up to 7 days."),
    };
  }
  if (kind === "messenger" && age < HUMAN_AGENT) {
    const closesAt = last + HUMAN_AGENT;
    return { level: "tagged", closesAt, text: `The 24-hour window has passed: the reply goes with Messenger's human-agent tag, allowed for ${span(closesAt - now)} more.` };
  }
  return { level: "closed", text: `The reply window is closed: the customer last wrote ${span(age)} ago and ${name} refuses free-form replies now. Wait for the customer to write again.` };
}
