import type { TestProject } from "vitest/node";
import { startDynamoLocal } from "../packages/local/src/dynamo-local";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** One DynamoDB Local per test run; each test file creates its own uniquely named table. */
export default async function setup(project: TestProject) {
  const db = await startDynamoLocal();
  project.provide("dynamoEndpoint", db.endpoint);
  return async () => {
    await db.stop();
  };
}
