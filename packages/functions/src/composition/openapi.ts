import { Block, BlockUsageView, HistoryEvent } from "@cbm/core";
import { PLANNING_SCHEMAS } from "../requests/planning-contracts";
import { ErrorBodySchema, ForbiddenBodySchema, VerdictBody } from "../platform/http/schemas";
import { BlockVerdictBody } from "../blocks/wire/verdict-body";
import { buildOpenApi, jsonSchema, openApiRoutes, type Json } from "../platform/http/openapi";
import type { AnyContract, AnyRoute } from "../platform/http/types";
import { DEPRECATED_ALIASES } from "../blocks/wire/aliases";
import { CreateBlockFields, UpdateBlockFields } from "../blocks/wire/block-body";

/** Marks the first release's field names (accepted for old scripts) as deprecated aliases in the docs. */
function withAliases(schema: Json): Json {
  const properties = { ...(schema.properties as Json) };
  for (const [name, target] of DEPRECATED_ALIASES) {
    if (properties[name]) properties[name] = { ...(properties[name] as Json), deprecated: true, description: `Legacy alias of ${target}` };
  }
  return { ...schema, properties };
}

/** The named schemas of the wings' bodies, generated from the same zod schemas that validate requests. */
function apiSchemas(): Json {
  const block = jsonSchema(Block, "output");
  return {
    Block: block,
    BlockWithWarnings: {
      allOf: [
        { $ref: "#/components/schemas/Block" },
        {
          type: "object",
          properties: {
            warnings: {
              type: "array",
              items: { type: "string" },
              description: "Present only when the input is valid but probably not what was meant",
            },
          },
        },
      ],
    },
    BlockWithUsage: {
      allOf: [
        { $ref: "#/components/schemas/Block" },
        {
          type: "object",
          properties: {
            usage: { anyOf: [jsonSchema(BlockUsageView, "output"), { type: "null" }] },
            outlook: {
              type: "object",
              description: "What CBM will do next about the block's end: the sentence the console, notices and `cbm get` show",
              properties: {
                kind: { type: "string", enum: ["extends", "needs-you", "retrying", "ends"] },
                text: { type: "string" },
              },
              required: ["kind", "text"],
            },
          },
        },
      ],
    },
    CreateBlockInput: withAliases(jsonSchema(CreateBlockFields, "input")),
    UpdateBlockInput: withAliases(jsonSchema(UpdateBlockFields, "input")),
    VerdictInput: jsonSchema(VerdictBody, "input"),
    BlockVerdictInput: jsonSchema(BlockVerdictBody, "input"),
    HistoryEvent: jsonSchema(HistoryEvent, "output"),
    Error: jsonSchema(ErrorBodySchema, "output"),
    Forbidden: jsonSchema(ForbiddenBodySchema, "output"),
    ...Object.fromEntries(Object.entries(PLANNING_SCHEMAS).map(([name, { schema, io }]) => [name, jsonSchema(schema, io)])),
  };
}

/** OpenAPI 3.1 for the routes of every wing the API function serves. */
export function buildOpenApiDocument(routes: AnyContract[], opts: { serverUrl?: string; version?: string } = {}): Json {
  return buildOpenApi(
    routes,
    {
      title: "Capacity Block Manager API",
      description:
        "Manages EC2 Capacity Blocks and extends them by policy; searches offerings, buys new blocks for capacity requests and reports spend and usage. Every request needs the `x-api-key` header.",
      ...opts,
    },
    apiSchemas(),
  );
}

/** GET /openapi.json, documenting the route contracts it is given. */
export function openApiRoute(documented: () => AnyContract[], opts: { serverUrl?: string } = {}): AnyRoute[] {
  return openApiRoutes(() => buildOpenApiDocument(documented(), opts));
}
