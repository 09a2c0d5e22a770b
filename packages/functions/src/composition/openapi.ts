import * as z from "zod";
import { Block, BlockUsageView, HistoryEvent, KEY_PATTERN } from "@cbm/core";
import { PLANNING_SCHEMAS } from "../requests/planning-contracts";
import { ErrorBodySchema, ForbiddenBodySchema, VerdictBody } from "../platform/http/schemas";
import { BlockVerdictBody } from "../blocks/wire/verdict-body";
import { defineRoute, type AnyContract, type QueryParamDoc, type ResponseDoc, type Route } from "../platform/http/types";
import { DEPRECATED_ALIASES } from "../blocks/wire/aliases";
import { CreateBlockFields, UpdateBlockFields } from "../blocks/wire/block-body";

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
}

/** Marks the first release's field names (accepted for old scripts) as deprecated aliases in the docs. */
function withAliases(schema: Json): Json {
  const properties = { ...(schema.properties as Json) };
  for (const [name, target] of DEPRECATED_ALIASES) {
    if (properties[name]) properties[name] = { ...(properties[name] as Json), deprecated: true, description: `Legacy alias of ${target}` };
  }
  return { ...schema, properties };
}

function ref(name: string): Json {
  return name.startsWith("array:")
    ? { type: "array", items: { $ref: `#/components/schemas/${name.slice(6)}` } }
    : { $ref: `#/components/schemas/${name}` };
}

function response(doc: ResponseDoc): Json {
  return {
    description: doc.description,
    ...(doc.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(doc.headers).map(([k, h]) => [k, { description: h.description, schema: h.schema ?? { type: "string" } }]),
          ),
        }
      : {}),
    ...(doc.schema ? { content: { "application/json": { schema: ref(doc.schema) } } } : {}),
  };
}

/** The headers every write reads: documented from the route's own flags, so a route cannot forget them. */
const ACTOR_HEADER: QueryParamDoc = {
  name: "x-cbm-actor",
  description: "Who is acting (recorded in history); default `api-key`",
  schema: { type: "string", maxLength: 64 },
};
const IDEMPOTENCY_KEY_HEADER: QueryParamDoc = {
  name: "Idempotency-Key",
  description:
    "Makes a retry safe: the same key with the same request within 24 h returns the first response (header `Idempotent-Replayed: true`) instead of acting again",
  schema: { type: "string", minLength: 1, maxLength: 255 },
};

/** The properties of an object schema's JSON Schema, each with whether it is required. */
function fieldsOf(schema: z.ZodType): { name: string; required: boolean; schema: Json }[] {
  const json = jsonSchema(schema, "input");
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties ?? {}) as Record<string, Json>).map(([name, s]) => ({
    name,
    required: required.has(name),
    schema: s,
  }));
}

function parametersOf(route: AnyContract): Json[] {
  const parameters: Json[] = [];
  const params = route.params ? fieldsOf(route.params) : [];
  for (const m of route.path.matchAll(/\{([^}]+)\}/g)) {
    const schema = params.find((p) => p.name === m[1])?.schema ?? { type: "string", pattern: KEY_PATTERN.source };
    parameters.push({ name: m[1], in: "path", required: true, schema });
  }
  if (route.queryDocs) {
    for (const q of route.queryDocs)
      parameters.push({ name: q.name, in: "query", required: false, description: q.description, schema: q.schema });
  } else if (route.query) {
    for (const { name, required, schema } of fieldsOf(route.query)) {
      const { description, ...rest } = schema;
      parameters.push({ name, in: "query", required, ...(description ? { description } : {}), schema: rest });
    }
  }
  const headers = [
    ...(route.requestHeaders ?? []),
    ...(route.idempotent ? [IDEMPOTENCY_KEY_HEADER] : []),
    ...(route.method !== "GET" && route.auth !== "self" ? [ACTOR_HEADER] : []),
  ];
  // A route's own description of a header wins over the standard one.
  const named = new Set<string>();
  for (const h of headers) {
    if (named.has(h.name)) continue;
    named.add(h.name);
    parameters.push({ name: h.name, in: "header", required: false, description: h.description, schema: h.schema });
  }
  return parameters;
}

function operation(route: AnyContract): Json {
  const parameters = parametersOf(route);
  const responses: Json = {};
  for (const [status, doc] of Object.entries(route.responses)) responses[status] = response(doc);
  responses["405"] ??= {
    description: "Method not allowed (see the Allow header)",
    content: { "application/json": { schema: ref("Error") } },
  };
  if (route.idempotent)
    responses["422"] ??= {
      description: "IDEMPOTENCY_KEY_REUSED: the Idempotency-Key was used for a different request",
      content: { "application/json": { schema: ref("Error") } },
    };
  responses["500"] ??= { description: "Unexpected server fault", content: { "application/json": { schema: ref("Error") } } };
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length ? { parameters } : {}),
    ...(route.requestBody
      ? {
          requestBody: { required: route.requestBody.required, content: { "application/json": { schema: ref(route.requestBody.schema) } } },
        }
      : {}),
    responses,
  };
}

/** OpenAPI 3.1 for the routes, its schemas generated from the same zod schemas that validate requests. */
export function buildOpenApiDocument(routes: AnyContract[], opts: { serverUrl?: string; version?: string } = {}): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  const block = jsonSchema(Block, "output");
  return {
    openapi: "3.1.0",
    info: {
      title: "Capacity Block Manager API",
      version: opts.version ?? "1.0.0",
      description:
        "Manages EC2 Capacity Blocks and extends them by policy; searches offerings, buys new blocks for capacity requests and reports spend and usage. Every request needs the `x-api-key` header.",
    },
    ...(opts.serverUrl ? { servers: [{ url: opts.serverUrl }] } : {}),
    security: [{ ApiKey: [] }],
    paths,
    components: {
      securitySchemes: { ApiKey: { type: "apiKey", in: "header", name: "x-api-key" } },
      schemas: {
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
      },
    },
  };
}

/** GET /openapi.json; the document is built once, on first use, from the route contracts it is given. */
export function openApiRoute(documented: () => AnyContract[], opts: { serverUrl?: string } = {}): Route {
  let cached: Json | undefined;
  return defineRoute({
    method: "GET",
    path: "/openapi.json",
    operationId: "openApi",
    summary: "This document",
    responses: { 200: { description: "OpenAPI 3.1 document" }, 403: { description: "Missing or wrong API key", schema: "Forbidden" } },
    async handler() {
      cached ??= buildOpenApiDocument(documented(), opts);
      return { statusCode: 200, body: cached };
    },
  });
}
