import { describe, expect, it } from "vitest";
import { toCsv } from "../src/index";

const one = (cell: string) => toCsv(["a", "b"], [{ a: cell, b: "x" }]).split("\r\n")[1];

describe("every CSV CBM writes", () => {
  it("quotes a cell with a semicolon, so spreadsheets splitting on ; keep it one cell", () => {
    expect(one("t;@SUM(1)")).toBe('"t;@SUM(1)",x');
    expect(one("x;=cmd|' /C calc'!A0")).toBe(`"x;=cmd|' /C calc'!A0",x`);
  });

  it("quotes commas, quotes and line breaks as RFC 4180 says, with CRLF line ends", () => {
    expect(toCsv(["a"], [{ a: 'say "hi", then\nleave' }])).toBe('a\r\n"say ""hi"", then\nleave"\r\n');
  });

  it.each(["=1+1", "+1", "-1", "@SUM(1)", "\t=1", "\uff1d1"])("keeps %j text: a leading apostrophe", (cell) => {
    expect(one(cell)!.replace(/^"|"?,x$/g, "")).toMatch(/^'/);
  });

  it("writes characters the text rule refuses as visible escapes (records stored before the rule)", () => {
    expect(one("ops\u202e0001\u0007")).toBe("ops\\u{202e}0001\\u{7},x");
  });

  it("leaves plain cells bare", () => {
    expect(toCsv(["pk", "fee"], [{ pk: "b-1", fee: "1510.27" }])).toBe("pk,fee\r\nb-1,1510.27\r\n");
  });
});
