import { html, type Html } from "./html";

/** A column of a data table; `num` columns hold figures, right-aligned. */
export interface Column {
  label: string;
  num?: boolean;
}

/** A captioned data table: the column headers, then the rows as given. */
export function dataTable(caption: string, columns: Column[], rows: Html[]): Html {
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${columns.map((c) => (c.num ? html`<th scope="col" class="num">${c.label}</th>` : html`<th scope="col">${c.label}</th>`))}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}
