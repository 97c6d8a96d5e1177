/**
 * Test helpers for the simulator: an OAuth token, an RFC 7616 Digest client computed here (not
 * taken from src/), and spec-extract validators built with ajv as docs/atlas-api-notes.md §11 prescribes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import formatsPlugin from 'ajv-formats';
import { DEFAULT_CREDENTIALS } from '../../src/sim/server.js';
import { PACKAGE_ROOT } from '../../src/version.js';

/** The spec extracts, vendored in test/fixtures/atlas-openapi (see its README for source and licence). */
export const SPEC_DIR = join(PACKAGE_ROOT, 'test', 'fixtures', 'atlas-openapi');
export const SPEC_VERSIONS = ['2023-01-01', '2024-08-05', '2025-02-19'] as const;
export type SpecVersion = (typeof SPEC_VERSIONS)[number];

export async function getToken(
  baseUrl: string,
  creds: { clientId: string; clientSecret: string } = DEFAULT_CREDENTIALS.serviceAccounts[0],
): Promise<string> {
  const res = await fetch(`${baseUrl}/api/oauth/token`, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${creds.clientId}:${creds.clientSecret}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  if (res.status !== 200) throw new Error(`token request failed: ${res.status}`);
  const body = (await res.json()) as { access_token: string };
  return body.access_token;
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}

/** Parses a `WWW-Authenticate: Digest ...` challenge. */
export function parseChallenge(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    out[(m[1] ?? '').toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  return out;
}

/** RFC 7616 response for MD5 / qop=auth. */
export function digestAuthorization(
  challenge: Record<string, string>,
  method: string,
  uri: string,
  user: string,
  password: string,
  nc = '00000001',
): string {
  const cnonce = randomBytes(8).toString('hex');
  const ha1 = md5(`${user}:${challenge.realm}:${password}`);
  const ha2 = md5(`${method}:${uri}`);
  const response = md5(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`);
  return `Digest username="${user}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${uri}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`;
}

/** GET with a Digest exchange: unauthenticated request, challenge, authenticated request. */
export async function digestGet(
  baseUrl: string,
  pathAndQuery: string,
  headers: Record<string, string> = {},
  key: { publicKey: string; privateKey: string } = DEFAULT_CREDENTIALS.apiKeys[0],
): Promise<Response> {
  const first = await fetch(`${baseUrl}${pathAndQuery}`, { headers });
  if (first.status !== 401) return first;
  await first.arrayBuffer();
  const challenge = parseChallenge(first.headers.get('www-authenticate') ?? '');
  const authorization = digestAuthorization(challenge, 'GET', pathAndQuery, key.publicKey, key.privateKey);
  return fetch(`${baseUrl}${pathAndQuery}`, { headers: { ...headers, Authorization: authorization } });
}

export function accept(version: string): Record<string, string> {
  return { Accept: `application/vnd.atlas.${version}+json` };
}

// ---------------------------------------------------------------------------------------------
// Spec validation (docs/atlas-api-notes.md §11)

type Json = unknown;

/** OAS 3.0 `nullable: true` -> JSON Schema null type (recursively). */
function mapNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(mapNullable);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) out[k] = mapNullable(v);
  if (out.nullable === true) {
    delete out.nullable;
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    if (out.type === undefined) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

export interface SpecDoc {
  version: SpecVersion;
  doc: {
    paths: Record<
      string,
      { get: { responses: Record<string, { content?: Record<string, { schema: Json }> }> } }
    >;
    components: { schemas: Record<string, Record<string, Json>> };
    info: { 'x-extract': { operations: Record<string, { operationId: string; contentVersion: string }> } };
  };
  ajv: Ajv;
}

export function loadSpec(version: SpecVersion): SpecDoc {
  const doc = JSON.parse(readFileSync(`${SPEC_DIR}/atlas-v2-${version}.json`, 'utf8')) as SpecDoc['doc'];
  const schemas = doc.components.schemas;
  // §11.1: the oneOf <-> allOf cycle overflows ajv; validate variants by status instead.
  for (const name of ['OrgUserResponse', 'GroupUserResponse']) {
    const s = schemas[name];
    if (s) {
      delete s.oneOf;
      delete s.discriminator;
    }
  }
  // §11.2: CloudAppUser doubles as the create request (password, mobileNumber required).
  const cloudAppUser = schemas.CloudAppUser;
  if (cloudAppUser && Array.isArray(cloudAppUser.required)) {
    cloudAppUser.required = cloudAppUser.required.filter((f) => f !== 'password' && f !== 'mobileNumber');
  }
  // §11.3: real ApiError.parameters carry strings and numbers, not objects.
  const apiError = schemas.ApiError as { properties?: { parameters?: { items?: Json } } } | undefined;
  if (apiError?.properties?.parameters) apiError.properties.parameters.items = {};
  databaseAccessWorkarounds(schemas);
  const ajv = new Ajv({ unicodeRegExp: true, strict: false, allErrors: true });
  // ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
  const plugin = formatsPlugin as unknown as ((a: Ajv) => Ajv) & { default?: (a: Ajv) => Ajv };
  const addFormats = plugin.default ?? plugin;
  addFormats(ajv);
  ajv.addSchema({ components: mapNullable(doc.components) as object }, 'spec');
  return { version, doc, ajv };
}

/**
 * Workarounds for the database-access schemas (snapshot schema 3), in the spirit of §11:
 * - CloudRegionConfig20240805's discriminator maps to subtypes that allOf it back (the same cycle as
 *   §11.1): dropped; its `regionName` is typed `object` around string enums: the type is dropped;
 * - DatabaseUserRole.roleName's enum ends with the placeholder "<a custom role name>": any custom role
 *   name is valid, so the enum is dropped;
 * - NetworkPermissionEntry.cidrBlock's pattern escapes `:` (`\:`), an invalid escape in a Unicode regex:
 *   unescaped.
 */
function databaseAccessWorkarounds(schemas: Record<string, Record<string, Json>>): void {
  const region = schemas.CloudRegionConfig20240805;
  if (region) {
    delete region.oneOf;
    delete region.discriminator;
    // regionName is declared `type: object` around a oneOf of string enums: a region name is a string.
    const regionName = (region.properties as Record<string, Record<string, Json>> | undefined)?.regionName;
    if (regionName) delete regionName.type;
  }
  // HardwareSpec20240805 is a oneOf of the providers' hardware specs, whose fields overlap (an M10 is in
  // the AWS, Azure and GCP enums alike), so a real spec matches several: anyOf.
  const hardware = schemas.HardwareSpec20240805;
  if (hardware?.oneOf) {
    hardware.anyOf = hardware.oneOf;
    delete hardware.oneOf;
  }
  const roleName = (schemas.DatabaseUserRole?.properties as Record<string, Record<string, Json>> | undefined)
    ?.roleName;
  if (roleName) delete roleName.enum;
  const cidr = (
    schemas.NetworkPermissionEntry?.properties as Record<string, Record<string, Json>> | undefined
  )?.cidrBlock;
  if (cidr && typeof cidr.pattern === 'string') cidr.pattern = cidr.pattern.replaceAll('\\:', ':');
}

/** A validator for a component schema by name. */
export function componentValidator(spec: SpecDoc, name: string): ValidateFunction {
  return spec.ajv.compile({ $ref: `spec#/components/schemas/${name}` });
}

/** Points the spec's local `#/components/...` references at the schema ajv holds as `spec`. */
function specRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(specRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node))
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `spec${v}` : specRefs(v);
  return out;
}

/**
 * The 200 schema of `GET path` in the media type of `contentVersion`: a component reference (the
 * `Paginated*` pages), or an inline schema (the bare arrays of the few unpaginated lists).
 */
export function responseValidator(spec: SpecDoc, path: string, contentVersion: string): ValidateFunction {
  const content = spec.doc.paths[path]?.get.responses['200']?.content;
  const schema = content?.[`application/vnd.atlas.${contentVersion}+json`]?.schema as
    | { $ref?: string }
    | undefined;
  if (!schema) throw new Error(`no 200 schema for ${path} ${contentVersion}`);
  if (schema.$ref) return spec.ajv.compile({ $ref: `spec${schema.$ref}` });
  return spec.ajv.compile(specRefs(mapNullable(schema)) as object);
}

export function describeErrors(validate: ValidateFunction): string {
  return JSON.stringify(validate.errors?.slice(0, 5) ?? []);
}
