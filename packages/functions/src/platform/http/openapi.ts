import * as z from "zod";
import { KEY_PATTERN } from "@cbm/core";
import { OPENAPI_CONTRACTS } from "./openapi-contract";
import { bindRoutes } from "./route-table";
import type { AnyContract, AnyRoute, QueryParamDoc, ResponseDoc } from "./types";

/*
 * The generic OpenAPI 3.1 builder: paths and operations from route contracts, the standard headers and error
 * responses every route shares. Which routes and which named schemas a document carries is the caller's choice
 * (composition/openapi.ts assembles the wings' route tables into it).
 */

export type Json = Record<string, unknown>;

/** A zod schema as JSON Schema, for the side of the wire it describes. */
export function jsonSchema(schema: z.ZodType, io: "input" | "output"): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as Json;
  return rest;
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

export interface OpenApiInfo {
  title: string;
  description: string;
  version?: string;
  serverUrl?: string;
}

/** OpenAPI 3.1 for the routes, its named schemas (`components.schemas`) given by the caller. */
export function buildOpenApi(routes: AnyContract[], info: OpenApiInfo, schemas: Json): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: "3.1.0",
    info: { title: info.title, version: info.version ?? "1.0.0", description: info.description },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    security: [{ ApiKey: [] }],
    paths,
    components: {
      securitySchemes: { ApiKey: { type: "apiKey", in: "header", name: "x-api-key" } },
      schemas,
    },
  };
}

/** GET /openapi.json; the document is built once, on first use. */
export function openApiRoutes(build: () => Json): AnyRoute[] {
  let cached: Json | undefined;
  return bindRoutes(OPENAPI_CONTRACTS, {
    openApi: async () => {
      cached ??= build();
      return { statusCode: 200, body: cached };
    },
  });
}
