// A stand-in for Prism, for specs Prism cannot load (Stripe's: it had not loaded after nine
// minutes). It answers the subset of Prism's command line and protocol that `sdkgen contract`
// uses, and every judgement in it comes from packages this project did not write:
//
// - request bodies and query strings are decoded with `qs`, the package Stripe's own Node
//   library encodes its bracket notation with;
// - they are validated against the operation's schemas with `ajv`, coercing the strings a form
//   carries into the numbers and booleans the schema asks for;
// - responses are made with `json-schema-faker` (the generator Prism itself uses), seeded, and
//   checked with `ajv` before they are sent. A value the faker gets wrong is answered with a
//   500 whose body names this mock, which the report counts as the mock's fault.
//
// Usage, as Prism: node mock.mjs mock --host H --port P [--dynamic --seed N] SPEC.json
//
// A refused request is answered 422 with Prism's `sl-violations` header: a JSON array of
// {location: ["request", "body" | "query" | "path", ...], message}.

import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import Ajv from "ajv";
import jsf from "json-schema-faker";
import qs from "qs";

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const host = flag("--host") ?? "127.0.0.1";
const port = Number(flag("--port") ?? 4010);
const dynamic = args.includes("--dynamic");
const seed = Number(flag("--seed") ?? 0);
const specPath = args[args.length - 1];
const spec = JSON.parse(readFileSync(specPath, "utf8"));

// Requests: coerce form strings; responses: exactly as sent.
const ajvOptions = { strict: false, allErrors: true, validateFormats: false, discriminator: false };
const requestAjv = new Ajv({ ...ajvOptions, coerceTypes: "array" });
const responseAjv = new Ajv(ajvOptions);

// A deterministic generator: mulberry32, seeded once per run, so that successive pages of a
// listing differ while the run as a whole repeats.
let state = (dynamic ? seed : 0) >>> 0 || 0x9e3779b9;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
jsf.option({
  random,
  alwaysFakeOptionals: false,
  optionalsProbability: 0.5,
  fixedProbabilities: true,
  useExamplesValue: false,
  failOnInvalidTypes: false,
  failOnInvalidFormat: false,
  maxItems: 2,
  refDepthMax: 8,
  ignoreMissingRefs: true,
});

/// Rewrites a schema for ajv: local `$ref`s reach the spec's components from a schema
/// compiled on its own, and OpenAPI 3.0's `nullable: true`, which JSON Schema does not have,
/// becomes "this, or null".
const rebase = (node) => {
  if (Array.isArray(node)) return node.map(rebase);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "nullable") continue;
    out[key] = key === "$ref" && typeof value === "string" && value.startsWith("#/") ? `spec${value}` : rebase(value);
  }
  return node.nullable === true ? { anyOf: [out, { type: "null" }] } : out;
};

// Every component schema, rewritten as `rebase` does, under the id `spec`.
const components = { components: { schemas: {} } };
for (const [name, schema] of Object.entries(spec.components?.schemas ?? {})) {
  components.components.schemas[name] = rebase(schema);
}
for (const ajv of [requestAjv, responseAjv]) {
  ajv.addSchema(components, "spec");
}

/// The schema the faker draws from: as the spec says, except that an expandable field (Stripe's
/// `x-expansionResources`: an id, or the object when the request asked to expand it) is drawn
/// as the id, which is what the API sends unless asked. Validation still uses the full schema.
const unexpanded = (node, seen = new Map()) => {
  if (Array.isArray(node)) return node.map((n) => unexpanded(n, seen));
  if (node === null || typeof node !== "object") return node;
  if (seen.has(node)) return seen.get(node);
  const out = {};
  seen.set(node, out);
  const branches = node.anyOf;
  const id = Array.isArray(branches) && node["x-expansionResources"] ? branches.find((b) => b.type === "string") : undefined;
  if (id) {
    Object.assign(out, unexpanded(id, seen));
    if (node.nullable) out.nullable = true;
    return out;
  }
  for (const [key, value] of Object.entries(node)) out[key] = unexpanded(value, seen);
  return out;
};
const fakerComponents = unexpanded(spec.components ?? {});

const compiled = new Map();
const validator = (ajv, key, schema) => {
  const cacheKey = `${ajv === requestAjv ? "req" : "res"} ${key}`;
  if (!compiled.has(cacheKey)) compiled.set(cacheKey, ajv.compile(rebase(schema)));
  return compiled.get(cacheKey);
};

const resolve = (node) => {
  for (let i = 0; i < 16 && node && node.$ref; i++) {
    node = node.$ref.split("/").slice(1).reduce((n, k) => n?.[k.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  }
  return node;
};

// Routes: each path template as a pattern; a path with more literal segments wins, as in Prism.
const routes = [];
for (const [template, item] of Object.entries(spec.paths ?? {})) {
  const names = [];
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{([^}]+)\}/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  const literals = template.split("/").filter((s) => s && !s.includes("{")).length;
  routes.push({ template, item, regex: new RegExp(`^${pattern}$`), names, literals });
}
routes.sort((a, b) => b.literals - a.literals);

const violation = (location, message) => ({ location: ["request", ...location], message });
const errorsOf = (validate, location) =>
  (validate.errors ?? []).map((e) => violation([...location, ...e.instancePath.split("/").filter(Boolean)], `${e.instancePath || "value"} ${e.message}`));

/// A multipart body as the object its schema describes: text parts by name, read with `qs` so
/// that bracketed names (`file_link_data[create]`) nest as Stripe reads them, and each file
/// part as its file name (a string, as `format: binary` is).
async function multipartValue(body, contentType) {
  const form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  const text = [];
  const files = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") text.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
    else files[name] = value.name || "file";
  }
  return { ...qs.parse(text.join("&"), { depth: 20, arrayLimit: 1000, parameterLimit: 10000 }), ...files };
}

async function checkRequest(route, method, op, url, params, headers, body) {
  const problems = [];
  const security = op.security ?? spec.security ?? [];
  const needsAuth = security.length > 0 && !security.some((s) => Object.keys(s).length === 0);
  if (needsAuth && !headers.authorization) return { status: 401, problems: [violation(["header", "authorization"], "missing credentials")] };
  const query = qs.parse(url.search.slice(1), { depth: 20, arrayLimit: 1000, parameterLimit: 10000 });
  const declared = [...(route.item.parameters ?? []), ...(op.parameters ?? [])].map(resolve);
  for (const param of declared) {
    if (!param || !["query", "path"].includes(param.in)) continue;
    const value = param.in === "path" ? params[param.name] : query[param.name];
    if (value === undefined || value === "") {
      if (param.required) problems.push(violation([param.in, param.name], "is required"));
      continue;
    }
    if (!param.schema) continue;
    const holder = { value };
    const validate = validator(requestAjv, `${method} ${route.template} ${param.in} ${param.name}`, {
      type: "object",
      properties: { value: param.schema },
    });
    if (!validate(holder)) problems.push(...errorsOf(validate, [param.in, param.name]));
  }
  const requestBody = resolve(op.requestBody);
  if (requestBody) {
    const media = String(headers["content-type"] ?? "").split(";")[0].trim();
    const content = requestBody.content ?? {};
    if (body.length === 0) {
      if (requestBody.required) problems.push(violation(["body"], "a body is required"));
    } else if (!content[media]) {
      problems.push(violation(["header", "content-type"], `${media} is not one of ${Object.keys(content).join(", ")}`));
    } else if (content[media].schema) {
      let value;
      if (media === "multipart/form-data") {
        try {
          value = await multipartValue(body, headers["content-type"]);
        } catch (e) {
          problems.push(violation(["body"], `not multipart: ${e.message}`));
        }
      } else if (media === "application/x-www-form-urlencoded") {
        value = qs.parse(body.toString("utf8"), { depth: 20, arrayLimit: 1000, parameterLimit: 10000 });
      } else if (media.includes("json")) {
        try {
          value = JSON.parse(body.toString("utf8"));
        } catch (e) {
          problems.push(violation(["body"], `not JSON: ${e.message}`));
        }
      }
      if (value !== undefined) {
        const validate = validator(requestAjv, `${method} ${route.template} body ${media}`, content[media].schema);
        if (!validate(value)) problems.push(...errorsOf(validate, ["body"]));
      }
    }
  }
  return { status: problems.length ? 422 : 0, problems };
}

function respond(route, method, op) {
  const responses = op.responses ?? {};
  const code = Object.keys(responses).filter((c) => /^2/.test(c)).sort()[0];
  if (!code) return { status: 200, body: undefined };
  const response = resolve(responses[code]);
  const json = Object.entries(response?.content ?? {}).find(([m]) => m.includes("json"));
  if (!json || !json[1].schema) return { status: Number(code), body: undefined };
  const schema = json[1].schema;
  // The faker throws on some draws (a TypeError in its clean-up of empty objects inside
  // arrays); the generator has moved on by then, so the next draw usually succeeds.
  let value;
  let failure;
  for (let attempt = 0; attempt < 10 && value === undefined; attempt++) {
    try {
      value = jsf.generate({ ...unexpanded(schema), components: fakerComponents });
    } catch (e) {
      failure = e;
    }
  }
  if (value === undefined) {
    return { status: 500, body: { type: "sdkgen-schema-mock/faker-failed", detail: String(failure?.message ?? failure) } };
  }
  const validate = validator(responseAjv, `${method} ${route.template} ${code}`, schema);
  if (!validate(value)) {
    const first = validate.errors?.[0];
    return {
      status: 500,
      body: { type: "sdkgen-schema-mock/faker-invalid", detail: `${first?.instancePath} ${first?.message}` },
    };
  }
  return { status: Number(code), body: value };
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", async () => {
    const url = new URL(req.url, `http://${host}`);
    const method = req.method.toLowerCase();
    const route = routes.find((r) => r.regex.test(url.pathname) && r.item[method]);
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(body === undefined ? "" : JSON.stringify(body));
    };
    if (!route) return send(404, { type: "sdkgen-schema-mock/no-route", detail: `${req.method} ${url.pathname}` });
    const op = route.item[method];
    const match = route.regex.exec(url.pathname);
    const params = Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(match[i + 1])]));
    let checked;
    try {
      checked = await checkRequest(route, method, op, url, params, req.headers, Buffer.concat(chunks));
    } catch (e) {
      return send(500, { type: "sdkgen-schema-mock/validator-failed", detail: String(e.message ?? e) });
    }
    if (checked.status) {
      return send(checked.status, { validation: checked.problems }, { "sl-violations": JSON.stringify(checked.problems) });
    }
    let answer;
    try {
      answer = respond(route, method, op);
    } catch (e) {
      return send(500, { type: "sdkgen-schema-mock/validator-failed", detail: String(e.message ?? e) });
    }
    send(answer.status, answer.body);
  });
});
server.listen(port, host);
