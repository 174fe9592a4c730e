// Formatting for the SLA report (pages/SlaReport.vue): the times targets
// took.

// duration is a report time (ms, business time for business-hours
// policies) as a person reads it: "45 s", "12 min", "3 h 05 min",
// "2 d 4 h". Rounded down to the unit shown, so a target that took
// 59 min 59 s never reads as an hour.
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.floor(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return `${h} h ${String(min % 60).padStart(2, "0")} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}
