import { beforeAll, describe, expect, it } from "vitest";
import { WEB_GATEWAY_ROUTES, WEB_RESOURCES } from "../src/contracts/routes";
import { createWebHandlers, ORIGIN } from "./support/web-handlers";

/*
 * In AWS, API Gateway sends every method of the pages' resources to the web function (WEB_GATEWAY_ROUTES: the
 * declared ones and ANY), as local mode does. These tests call the AWS assembly's web handler with the events API
 * Gateway sends for a HEAD (a link preview) or an OPTIONS (a browser) and check it answers with its 405 page and acts
 * on nothing.
 */
let h: Awaited<ReturnType<typeof createWebHandlers>>;

beforeAll(async () => {
  h = await createWebHandlers("parity");
});

const q = (fields: [string, string][]) => fields.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");

describe("HEAD and OPTIONS on the browser pages", () => {
  it("are routed to the web function on every page resource, without the API key", () => {
    expect(WEB_GATEWAY_ROUTES).toEqual(expect.arrayContaining(WEB_RESOURCES.map((r) => `ANY ${r}`)));
  });

  it.each(["HEAD", "OPTIONS"])("%s on a live approval link answers a 405 page and leaves the link usable", async (method) => {
    const { block, token } = await h.askingBlock();

    const res = await h.call(method, `/link/${token}`, { apiKey: false });

    expect(res.status).toBe(405);
    expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(res.headers.allow).toBe("GET, POST");
    expect((await h.store.get(block.PK))!.version).toBe(block.version);
    // Not consumed: the confirmation page still offers the form, and its answer is still recorded once.
    const page = await h.call("GET", `/link/${token}`, { apiKey: false });
    expect(page.status).toBe(200);
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1]!;
    const answer = await h.call(
      "POST",
      `/link/${token}`,
      h.form(
        q([
          ["csrf", csrf],
          ["confirm", "yes"],
          ["action", "approve"],
        ]),
        { Origin: ORIGIN },
      ),
    );
    expect(answer.status).toBe(200);
    expect((await h.store.get(block.PK))!.version).toBeGreaterThan(block.version);
  });

  it.each(["HEAD", "OPTIONS"])("%s on every console page answers a 405 page, pausing and signing out nothing", async (method) => {
    const { block } = await h.askingBlock();
    const { cookie } = await h.signIn();
    const paths = WEB_RESOURCES.filter((r) => r.startsWith("/console")).map((r) =>
      r.replace("{PK}", block.PK).replace("{id}", "cr-none").replace("{action}", "pause"),
    );

    const answers = await Promise.all(
      paths.map(async (path) => [path, await h.call(method, path, { apiKey: false, headers: { Cookie: cookie } })] as const),
    );

    for (const [path, res] of answers) {
      expect(res.status, path).toBe(405);
      expect(res.headers["content-type"], path).toBe("text/html; charset=utf-8");
      expect(res.headers.allow, path).toMatch(/^(GET|POST)(, (GET|POST))?$/);
    }
    expect(paths).toEqual(expect.arrayContaining(["/console", "/console/signout", `/console/blocks/${block.PK}/pause`]));
    expect((await h.store.get(block.PK))!.version).toBe(block.version);
    expect((await h.call("GET", "/console/blocks", { apiKey: false, headers: { Cookie: cookie } })).status).toBe(200);
  });
});
