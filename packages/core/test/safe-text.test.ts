import { describe, expect, it } from "vitest";
import { escapeUnsafeForTerminal, escapeUnsafeText, isSafeText } from "../src/index";

describe("people's text", () => {
  it.each(["plain name", "Zoë's p5 run", "日本語", "emoji 🚀 (a surrogate pair)"])("accepts %j", (s) => {
    expect(isSafeText(s)).toBe(true);
  });

  it.each(["ESC\u001b[31m", "CR\r\nBcc: x", "DEL\u007f", "C1\u0085", "bidi\u202e", "isolate\u2066", "lone\ud800", "lone\udc00 low"])(
    "refuses %j",
    (s) => {
      expect(isSafeText(s)).toBe(false);
    },
  );

  it("escapes what it refuses, so a stored name can neither fake a line nor colour a terminal", () => {
    expect(escapeUnsafeText("a\r\nBcc: x\u001b[31m")).toBe("a\\u{d}\\u{a}Bcc: x\\u{1b}[31m");
    expect(escapeUnsafeText("keeps 🚀")).toBe("keeps 🚀");
  });
});

describe("text on a terminal", () => {
  it("prints refused characters as \\uXXXX, which is the same character again inside a JSON string", () => {
    const shown = escapeUnsafeForTerminal(JSON.stringify({ team: "ops\u202e0001\u0085" }));
    expect(shown).toBe('{"team":"ops\\u202e0001\\u0085"}');
    expect(JSON.parse(shown)).toEqual({ team: "ops\u202e0001\u0085" });
    expect(escapeUnsafeForTerminal("line one\nline two\ttab")).toBe("line one\nline two\ttab");
  });
});
