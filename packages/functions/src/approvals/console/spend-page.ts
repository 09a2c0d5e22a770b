import { durationText, type SpendReport } from "@cbm/core";
import { consoleFrame, type ConsoleContext } from "./console-pages";
import { time } from "../../platform/web/format";
import { html, page, type Html } from "../../platform/web/html";
import { dataTable, type Column } from "../../platform/web/table";

type Cell = Html | string | number;

/** A captioned table of figures, one row per entry, its first cell the row's header. */
function table(caption: string, columns: Column[], rows: Cell[][]): Html {
  const body = rows.map(
    ([first, ...rest]) =>
      html`<tr>
        <th scope="row">${first ?? ""}</th>
        ${rest.map((v, i) => (columns[i + 1]?.num ? html`<td class="num">${v}</td>` : html`<td>${v}</td>`))}
      </tr>`,
  );
  return dataTable(
    caption,
    columns,
    body.length
      ? body
      : [
          html`<tr>
            <td colspan="${columns.length}" class="muted">No purchases yet.</td>
          </tr>`,
        ],
  );
}

const money = (amount: string, currency: string) => `${amount} ${currency}`;
const hours = (h: number | undefined) => (h === undefined ? "—" : String(h));

/**
 * Spend per month, per team tag and per block, and every purchase: the report GET /reports/spend and `cbm report`
 * give, from the same computation. The CSV has the purchases, amounts as stored.
 */
export function spendPage(c: ConsoleContext, report: SpendReport & { truncated: boolean }): string {
  return page(
    consoleFrame(c, "Spend"),
    html`<h1>Spend</h1>
      <p>
        Upfront fees CBM paid or is paying: blocks bought for capacity requests and extensions; failed payments are listed but not counted.
        The same figures as <code>cbm report</code> and GET /reports/spend.
        <a href="${c.base}/console/spend.csv" download>Download CSV</a>
      </p>
      ${report.truncated
        ? html`<div class="notice bad" role="alert">More than 2,000 blocks or requests: only the first are counted.</div>`
        : ""}
      <section class="card">
        ${table(
          "Per month (UTC, month of purchase)",
          [{ label: "Month" }, { label: "New blocks", num: true }, { label: "Extensions", num: true }, { label: "Total", num: true }],
          report.months.map((m) => [m.month, money(m.newBlocks, m.currency), money(m.extensions, m.currency), money(m.total, m.currency)]),
        )}
      </section>
      <section class="card">
        ${table(
          "Per team tag",
          [{ label: "Team" }, { label: "Spent", num: true }, { label: "Reserved instance-hours", num: true }],
          report.teams.map((t) => [t.team, money(t.total, t.currency), t.reservedInstanceHours]),
        )}
      </section>
      <section class="card">
        ${table(
          "Per block",
          [
            { label: "Block" },
            { label: "Team" },
            { label: "Spent", num: true },
            { label: "Reserved instance-hours", num: true },
            { label: "Used instance-hours", num: true },
            { label: "Per instance-hour", num: true },
          ],
          report.blocks.map((b) => [
            b.name ?? b.pk,
            b.team,
            money(b.total, b.currency),
            hours(b.reservedInstanceHours),
            hours(b.usedInstanceHours),
            b.pricePerInstanceHour ? money(b.pricePerInstanceHour, b.currency) : "—",
          ]),
        )}
      </section>
      <section class="card">
        ${table(
          "Purchases",
          [
            { label: "Bought" },
            { label: "What" },
            { label: "Block" },
            { label: "Team" },
            { label: "Duration" },
            { label: "Fee", num: true },
            { label: "Payment" },
          ],
          report.purchases.map((p) => [
            time(p.purchasedAt),
            p.kind === "block" ? "new block" : "extension",
            p.name,
            p.team,
            durationText(p.durationHours),
            money(p.upfrontFee, p.currency),
            p.status,
          ]),
        )}
      </section>`,
  );
}
