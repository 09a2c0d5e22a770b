import * as z from "zod";
import { Block, HistoryEvent, KEY_PATTERN } from "@cbm/core";
import { ErrorBodySchema, ForbiddenBodySchema, VerdictBody } from "./schemas";
import { defineRoute, type AnyRoute, type ResponseDoc, type Route } from "./types";
import { DEPRECATED_ALIASES } from "./wire/aliases";
import { CreateBlockFields, UpdateBlockFields } from "./wire/block-body";

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

function operation(route: AnyRoute): Json {
  const parameters: Json[] = [];
  for (const m of route.path.matchAll(/\{([^}]+)\}/g)) {
    parameters.push({ name: m[1], in: "path", required: true, schema: { type: "string", pattern: KEY_PATTERN.source } });
  }
  for (const q of route.queryDocs ?? [])
    parameters.push({ name: q.name, in: "query", required: false, description: q.description, schema: q.schema });
  for (const h of route.requestHeaders ?? [])
    parameters.push({ name: h.name, in: "header", required: false, description: h.description, schema: h.schema });
  const responses: Json = {};
  for (const [status, doc] of Object.entries(route.responses)) responses[status] = response(doc);
  responses["405"] ??= {
    description: "Method not allowed (see the Allow header)",
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
export function buildOpenApiDocument(routes: AnyRoute[], opts: { serverUrl?: string; version?: string } = {}): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  const block = jsonSchema(Block, "output");
  return {
    openapi: "3.1.0",
    info: {
      title: "Capacity Block Manager API",
      version: opts.version ?? "1.0.0",
      description: "Manages EC2 Capacity Blocks and extends them by policy. Every request needs the `x-api-key` header.",
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
        CreateBlockInput: withAliases(jsonSchema(CreateBlockFields, "input")),
        UpdateBlockInput: withAliases(jsonSchema(UpdateBlockFields, "input")),
        VerdictInput: jsonSchema(VerdictBody, "input"),
        HistoryEvent: jsonSchema(HistoryEvent, "output"),
        Error: jsonSchema(ErrorBodySchema, "output"),
        Forbidden: jsonSchema(ForbiddenBodySchema, "output"),
      },
    },
  };
}

/** GET /openapi.json; the document is built once, on first use, from the route table it is given. */
export function openApiRoute(documented: () => AnyRoute[], opts: { serverUrl?: string } = {}): Route {
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
