/**
 * The XML the EC2 Query protocol speaks. Responses are plain objects whose key order is the element order;
 * arrays become `<name><item>…</item></name>` (the SDK ignores any other child name, reference §3.2), `Date`s
 * become RFC 3339 UTC, `undefined` drops the element (the SDK then leaves the field undefined).
 */
export type XmlValue = string | number | boolean | Date | null | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [element: string]: XmlValue;
}

const NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/";

export function responseXml(action: string, requestId: string, body: XmlObject): string {
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n', `<${action}Response xmlns="${NAMESPACE}">`];
  writeElement(out, "requestId", requestId);
  for (const [name, value] of Object.entries(body)) writeElement(out, name, value);
  out.push(`</${action}Response>`);
  return out.join("");
}

export function errorXml(code: string, message: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Response><Errors><Error><Code>${escape(code)}</Code><Message>${escape(message)}</Message></Error></Errors>` +
    `<RequestID>${escape(requestId)}</RequestID></Response>`
  );
}

function writeElement(out: string[], name: string, value: XmlValue): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`<${name}/>`);
      return;
    }
    out.push(`<${name}>`);
    for (const item of value) {
      if (item === undefined || item === null) continue;
      writeElement(out, "item", item);
    }
    out.push(`</${name}>`);
    return;
  }
  if (value instanceof Date) {
    out.push(`<${name}>${value.toISOString()}</${name}>`);
    return;
  }
  if (typeof value === "object") {
    out.push(`<${name}>`);
    for (const [child, childValue] of Object.entries(value)) writeElement(out, child, childValue);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escape(String(value))}</${name}>`);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" };

export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
