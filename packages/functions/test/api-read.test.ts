import { describe, expect, it } from "vitest";
import { useBlockApi } from "./support/block-api";

const { api, created } = useBlockApi();

describe("read and list", () => {
  it("answers 404 NOT_FOUND to reading a block that does not exist", async () => {
    expect((await api.call("GET", "/absent-block")).status).toBe(404);
    expect((await api.call("GET", "/absent-block")).body.code).toBe("NOT_FOUND");
  });

  it("answers 400 naming the field PK to reading an invalid PK", async () => {
    const bad = await api.call("GET", "/has%20space");
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].field).toBe("PK");
    expect((await api.call("GET", "/bad%zz")).status).toBe(400);
  });

  it("URL-decodes the PK in the path", async () => {
    const b = await created({ PK: "env:1.a_b-c" });
    const enc = await api.call("GET", "/env%3A1.a_b-c");
    expect(enc.status).toBe(200);
    expect(enc.body.PK).toBe(b.PK);
  });

  it("lists as a plain JSON array, paged by limit, the cursor in x-next-cursor plus Link", async () => {
    for (let i = 0; i < 3; i++) await created();
    const first = await api.call("GET", "/", { query: { limit: "2" } });
    expect(first.status).toBe(200);
    expect(Array.isArray(first.body)).toBe(true);
    expect(first.body).toHaveLength(2);
    const cursor = first.headers["x-next-cursor"];
    expect(cursor).toBeTruthy();
    expect(first.headers.link).toBe(`</test/?limit=2&cursor=${cursor}>; rel="next"`);
    const second = await api.call("GET", "/", { query: { limit: "2", cursor: cursor! } });
    expect(second.status).toBe(200);
    expect(second.body.map((b: { PK: string }) => b.PK)).not.toContain(first.body[0].PK);
  });

  it("answers 400 naming the parameter to a bad limit, a bad cursor or an unknown query parameter", async () => {
    for (const limit of ["0", "101", "abc", "-1", "1.5"]) {
      const res = await api.call("GET", "/", { query: { limit } });
      expect(res.status).toBe(400);
      expect(res.body.issues[0].field).toBe("limit");
    }
    expect((await api.call("GET", "/", { query: { cursor: "garbage" } })).body.issues[0].field).toBe("cursor");
    expect((await api.call("GET", "/", { query: { color: "red" } })).status).toBe(400);
  });

  it("pages newest first by limit plus cursor", async () => {
    const b = await created();
    for (let i = 0; i < 4; i++) expect((await api.call("PUT", `/${b.PK}`, { body: { name: `n${i}` } })).status).toBe(200);
    const first = await api.call("GET", `/${b.PK}/history`, { query: { limit: "3" } });
    expect(first.body).toHaveLength(3);
    expect(first.headers.link).toContain(`/test/${b.PK}/history?limit=3&cursor=`);
    const second = await api.call("GET", `/${b.PK}/history`, { query: { limit: "3", cursor: first.headers["x-next-cursor"]! } });
    expect([...first.body, ...second.body].map((e: { message: string }) => e.message)).toEqual([
      "Updated name",
      "Updated name",
      "Updated name",
      "Updated name",
      expect.stringContaining("Created"),
    ]);
    expect(second.headers["x-next-cursor"]).toBeUndefined();
  });
});
