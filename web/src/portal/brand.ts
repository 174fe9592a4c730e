// The tenant's colours as CSS variables, kept readable: a colour used for
// text or a button's background on white is darkened until it reaches
// WCAG AA (4.5:1), and the text on it is white or near-black, whichever
// contrasts more.

export interface Brand {
  primary: string;
  onPrimary: string;
  accent: string;
  onAccent: string;
}

const hexRe = /^#([0-9a-f]{6})$/i;
export const defaultPrimary = "#0b5cad";
export const defaultAccent = "#6b3fa0";
const white = "#ffffff";
const ink = "#1b1f24";

function rgb(hex: string): [number, number, number] {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function toHex([r, g, b]: number[]): string {
  return "#" + [r, g, b].map((c) => Math.round(c).toString(16).padStart(2, "0")).join("");
}

export function luminance(hex: string): number {
  const [r, g, b] = rgb(hex).map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// readable darkens hex (towards black, keeping its hue) until it has at
// least min contrast with white.
export function readable(hex: string, min = 4.5): string {
  let c = rgb(hex);
  for (let i = 0; i < 100 && contrast(toHex(c), white) < min; i++) c = c.map((v) => v * 0.95) as typeof c;
  return toHex(c);
}

// onColour is the text colour for a background: white or ink.
export function onColour(bg: string): string {
  return contrast(bg, white) >= contrast(bg, ink) ? white : ink;
}

export function brand(primary?: string, accent?: string): Brand {
  const p = readable(primary && hexRe.test(primary) ? primary : defaultPrimary);
  const a = readable(accent && hexRe.test(accent) ? accent : defaultAccent);
  return { primary: p, onPrimary: onColour(p), accent: a, onAccent: onColour(a) };
}

export function applyBrand(b: Brand, el: HTMLElement = document.documentElement) {
  el.style.setProperty("--primary", b.primary);
  el.style.setProperty("--on-primary", b.onPrimary);
  el.style.setProperty("--accent", b.accent);
  el.style.setProperty("--on-accent", b.onAccent);
}
