// What the report pages (pages/CsatReport.vue, pages/SlaReport.vue) share:
// a period of whole UTC days and a grouping, and reading the report for
// them (components/ReportPeriod.vue shows the controls).
import { ref, watch, type Ref } from "vue";
import { errorMessage } from "./api/client";
import { teamName, userName } from "./session";

// day is a date input's value (UTC), n days from today.
export function day(n: number): string {
  const d = new Date();
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// periodEnd is the report's exclusive end for an inclusive end date
// ("2026-11-30" → "2026-12-01T00:00:00Z").
export function periodEnd(day: string): string {
  const end = new Date(`${day}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() + 1);
  return end.toISOString().replace(".000Z", "Z");
}

// The query every report takes (from inclusive, to exclusive, RFC 3339).
export type ReportQuery<By extends string> = { from: string; to: string; by: By };

// useReportPeriod holds a report page's period (the last 30 days at first,
// both ends inclusive), its grouping (defaultBy at first) and the report
// read for them by read; it reads again when the grouping changes, and
// load reads on demand (the form's "Show"); the first read starts at once.
export function useReportPeriod<By extends string, R>(
  defaultBy: By,
  read: (query: ReportQuery<By>) => Promise<{ data?: R; error?: unknown }>,
) {
  const by = ref(defaultBy) as Ref<By>;
  const from = ref(day(-29));
  const to = ref(day(0)); // inclusive: the report runs to the next day's start
  const report = ref<R | null>(null) as Ref<R | null>;
  const error = ref("");
  const loading = ref(false);

  async function load() {
    error.value = "";
    if (!from.value || !to.value || from.value > to.value) {
      error.value = "Choose a start date on or before the end date.";
      return;
    }
    loading.value = true;
    const { data, error: err } = await read({ from: `${from.value}T00:00:00Z`, to: periodEnd(to.value), by: by.value });
    loading.value = false;
    if (!data) {
      report.value = null;
      error.value = errorMessage(err, "The report could not be read.");
      return;
    }
    report.value = data;
  }

  watch(by, () => void load());
  void load();
  return { by, from, to, report, error, loading, load };
}

// whoName names a report group by agent or team, the groupings every
// report has (undefined for the others); team names once loadTeams has
// read them (pages/admin/admin.ts), ids before.
export function whoName(by: string, key: string): string | undefined {
  if (by === "agent") return key ? userName(key) : "Unassigned";
  if (by === "team") return key ? teamName(key) : "No team";
  return undefined;
}

// percent is a share (0 to 1) as a whole percentage; a share just under
// one never reads 100% (1 missed target in 300 is 99%, not 100%).
export function percent(share: number): string {
  if (!Number.isFinite(share)) return "";
  let p = Math.round(share * 100);
  if (p === 100 && share < 1) p = 99;
  if (p === 0 && share > 0) p = 1;
  return `${p}%`;
}
