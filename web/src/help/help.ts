// The help button: <script src="https://<portal>/portal/help.js" async></script>
// on a tenant's website adds a "Help" button that opens the portal in a
// dialog, with a badge counting the tickets an agent answered since the
// customer's last visit. Plain DOM, no framework: it loads on every page of
// someone else's site, so it stays tiny (built alone by vite.help.config.ts).
//
// The count comes from a hidden frame of the portal's #/badge route, which
// reads the session in the portal origin's storage. Messages from frames are
// taken only from the portal's origin and that frame; the frame answers only
// this page's origin (src/portal/embed.ts).
import { brand } from "../portal/brand";
import { badgeType, closeType, helloType } from "../portal/embed";

export function portalBase(src: string): URL {
  return new URL("./", src); // https://portal.example/portal/help.js -> .../portal/
}

export function countText(n: number): string {
  return n > 0 ? (n > 99 ? "99+" : String(n)) : "";
}

// accepts: is e a message from the portal frame we made?
export function accepts(e: Pick<MessageEvent, "origin" | "source">, origin: string, frame: unknown): boolean {
  return e.origin === origin && frame != null && e.source === frame;
}

const css = `
:host { all: initial; }
.btn { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; display: flex; align-items: center; gap: 6px;
  padding: 12px 18px; border: 0; border-radius: 999px; background: var(--sd-bg, #0b5cad); color: var(--sd-fg, #fff); font: 600 16px system-ui, sans-serif;
  box-shadow: 0 2px 10px rgba(0,0,0,.25); cursor: pointer; }
.btn:focus-visible, .close:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.badge { min-width: 22px; padding: 1px 6px; border-radius: 999px; background: #b42318; color: #fff; font-size: 13px; text-align: center; }
.badge:empty { display: none; }
dialog { width: min(420px, calc(100vw - 24px)); height: min(640px, calc(100vh - 24px)); padding: 0; border: 0; border-radius: 12px;
  box-shadow: 0 8px 30px rgba(0,0,0,.3); }
dialog::backdrop { background: rgba(0,0,0,.3); }
.head { display: flex; justify-content: space-between; align-items: center; padding: 8px 12px; background: var(--sd-bg, #0b5cad); color: var(--sd-fg, #fff);
  font: 600 16px system-ui, sans-serif; }
.close { border: 0; background: transparent; color: var(--sd-fg, #fff); font-size: 22px; line-height: 1; cursor: pointer; padding: 4px 8px; }
.panel { width: 100%; height: calc(100% - 44px); border: 0; display: block; }
`;

export function mount(doc: Document, src: string) {
  const base = portalBase(src);
  const origin = base.origin;
  const host = doc.createElement("div");
  host.setAttribute("data-stackdesk-help", "");
  const root = host.attachShadow({ mode: "open" });
  root.innerHTML = `<style>${css}</style>
<button class="btn" type="button" aria-haspopup="dialog" aria-describedby="sd-count"><span aria-hidden="true">?</span><span>Help</span><span class="badge" id="sd-badge" aria-hidden="true"></span></button>
<span id="sd-count" hidden></span>
<dialog aria-labelledby="sd-title"><div class="head"><span id="sd-title">Help</span><button class="close" type="button" aria-label="Close help">×</button></div></dialog>`;
  const btn = root.querySelector(".btn") as HTMLButtonElement;
  const badge = root.getElementById("sd-badge") as HTMLElement;
  const described = root.getElementById("sd-count") as HTMLElement;
  const dialog = root.querySelector("dialog") as HTMLDialogElement;
  let panel: HTMLIFrameElement | null = null;

  // The panel's portal is made on first open (no frame until then).
  btn.addEventListener("click", () => {
    if (!panel) {
      panel = doc.createElement("iframe");
      panel.className = "panel";
      panel.title = "Help center";
      panel.src = base.href + "#/";
      const p = panel;
      p.addEventListener("load", () => p.contentWindow?.postMessage({ type: helloType }, origin));
      dialog.appendChild(p);
    }
    dialog.showModal();
    setBadge(0);
  });
  // Esc (the browser closes a modal dialog), the close button, or the portal
  // asking (Esc pressed inside its frame): focus goes back to the button.
  (root.querySelector(".close") as HTMLButtonElement).addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => btn.focus());

  const setBadge = (n: number) => {
    badge.textContent = countText(n);
    described.textContent = n > 0 ? `${n} new ${n === 1 ? "answer" : "answers"}` : "";
  };

  const badgeFrame = doc.createElement("iframe");
  badgeFrame.src = base.href + "#/badge";
  badgeFrame.title = "";
  badgeFrame.setAttribute("aria-hidden", "true");
  badgeFrame.tabIndex = -1;
  badgeFrame.style.display = "none";
  badgeFrame.addEventListener("load", () => badgeFrame.contentWindow?.postMessage({ type: helloType }, origin));

  const win = doc.defaultView!;
  win.addEventListener("message", (e: MessageEvent) => {
    const data = e.data as { type?: string; replies_since_visit?: unknown; primary_color?: unknown } | null;
    if (accepts(e, origin, badgeFrame.contentWindow) && data?.type === badgeType && typeof data.replies_since_visit === "number") {
      host.dataset.replies = String(data.replies_since_visit); // what the page (and a test) can read
      if (typeof data.primary_color === "string") {
        const b = brand(data.primary_color); // a malformed colour is the default; AA kept
        host.style.setProperty("--sd-bg", b.primary);
        host.style.setProperty("--sd-fg", b.onPrimary);
      }
      if (!dialog.open) setBadge(data.replies_since_visit);
    } else if (panel && accepts(e, origin, panel.contentWindow) && data?.type === closeType && dialog.open) {
      dialog.close();
    }
  });
  doc.body.appendChild(host);
  root.appendChild(badgeFrame);
  return { host, button: btn, dialog };
}

// When loaded by a script tag (not in tests): mount once on this page.
const script = typeof document !== "undefined" ? (document.currentScript as HTMLScriptElement | null) : null;
if (script?.src) {
  const go = () => {
    if (!document.querySelector("[data-stackdesk-help]")) mount(document, script.src);
  };
  if (document.body) go();
  else document.addEventListener("DOMContentLoaded", go);
}
