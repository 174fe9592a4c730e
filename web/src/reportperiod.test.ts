import { describe, expect, it } from "vitest";
import { nextTick } from "vue";
import { day, periodEnd, useReportPeriod, type ReportQuery } from "./reportperiod";

describe("periodEnd", () => {
  it("is the start of the day after, across months", () => {
    expect(periodEnd("2026-11-30")).toBe("2026-12-01T00:00:00Z");
    expect(periodEnd("2026-12-31")).toBe("2027-01-01T00:00:00Z");
  });
});

describe("useReportPeriod", () => {
  type By = "team" | "agent";
  function page(answer: { data?: string; error?: unknown } = { data: "the report" }) {
    const asked: ReportQuery<By>[] = [];
    const p = useReportPeriod<By, string>("team", async (q) => {
      asked.push(q);
      return answer;
    });
    return { p, asked };
  }

  it("reads the last 30 days at once, both ends whole UTC days, by the default grouping", async () => {
    const { p, asked } = page();
    expect([p.from.value, p.to.value, p.by.value]).toEqual([day(-29), day(0), "team"]);
    expect(asked).toEqual([{ from: `${day(-29)}T00:00:00Z`, to: periodEnd(day(0)), by: "team" }]);
    p.from.value = "2026-11-01";
    p.to.value = "2026-11-30";
    await p.load();
    expect(asked[1]).toEqual({ from: "2026-11-01T00:00:00Z", to: "2026-12-01T00:00:00Z", by: "team" });
    expect([p.report.value, p.error.value, p.loading.value]).toEqual(["the report", "", false]);
  });

  it("reads again when the grouping changes", async () => {
    const { p, asked } = page();
    p.by.value = "agent";
    await nextTick();
    expect(asked.map((q) => q.by)).toEqual(["team", "agent"]);
  });

  it("asks nothing for a period that ends before it starts", async () => {
    const { p, asked } = page();
    p.from.value = "2026-11-02";
    p.to.value = "2026-11-01";
    await p.load();
    expect(asked).toHaveLength(1); // the first read only
    expect(p.error.value).toBe("Choose a start date on or before the end date.");
  });

  it("shows the API's refusal and drops the last report", async () => {
    const { p } = page({ error: { error: { reason: "reports_need_all_tickets", message: "reports are for admins" } } });
    p.report.value = "an older report";
    await p.load();
    expect([p.report.value, p.error.value]).toEqual([null, "reports are for admins"]);
  });
});
