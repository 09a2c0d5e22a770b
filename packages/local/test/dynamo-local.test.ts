import { afterAll, describe, expect, it } from "vitest";
import { DynamoLocalStartError } from "../src/errors";
import { startDynamoLocal, type DynamoLocal } from "../src/dynamo-local";

const started: DynamoLocal[] = [];

afterAll(async () => {
  await Promise.all(started.map((d) => d.stop()));
});

describe("starting DynamoDB Local", () => {
  it("listens on a port the system picks, naming it", async () => {
    const db = await startDynamoLocal();
    started.push(db);

    expect(db.endpoint).toBe(`http://127.0.0.1:${db.port}`);
    const res = await fetch(db.endpoint);
    expect(res.status).toBe(400);
  });

  it("fails when its port is taken, rather than taking another process's answers as its own", async () => {
    const first = await startDynamoLocal();
    started.push(first);

    const second = startDynamoLocal({ port: first.port });

    await expect(second).rejects.toBeInstanceOf(DynamoLocalStartError);
  });
});
