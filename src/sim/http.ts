/**
 * The HTTP vocabulary the simulator's read and write handlers share: the ApiError body (spec §6.1),
 * path matching, version negotiation by `Accept` (§1) and bounded request bodies.
 */
import type { IncomingMessage } from 'node:http';

/** An ApiError the simulator answers with; `kind` tells it apart from a handler's result. */
export interface ApiErrorSpec {
  kind: 'error';
  status: number;
  errorCode: string;
  detail: string;
  parameters?: unknown[];
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  410: 'Gone',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** The `errorCode` Atlas sends with a status when nothing more specific applies. */
export const ERROR_CODES: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'RESOURCE_NOT_FOUND',
  406: 'INVALID_VERSION_DATE',
  409: 'CONFLICT',
  410: 'VERSION_GONE',
  429: 'RATE_LIMITED',
  500: 'UNEXPECTED_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

/** The ApiError body; field order as in spec §6.1: error, errorCode, detail, reason, parameters. */
export function apiError(spec: Omit<ApiErrorSpec, 'kind'>): Record<string, unknown> {
  return {
    error: spec.status,
    errorCode: spec.errorCode,
    detail: spec.detail,
    reason: REASONS[spec.status] ?? 'Error',
    parameters: spec.parameters ?? [],
  };
}

/** The path parameters of `pathname` when `pattern` matches it (values URL-decoded), else null. */
export function matchParams(
  pattern: RegExp,
  paramNames: readonly string[],
  pathname: string,
): Record<string, string> | null {
  const m = pattern.exec(pathname);
  if (!m) return null;
  const params: Record<string, string> = {};
  paramNames.forEach((name, i) => {
    params[name] = decodeURIComponent(m[i + 1] ?? '');
  });
  return params;
}

/**
 * The version an `Accept` header asks for (`application/vnd.atlas.<date>+json`, docs/atlas-api-notes.md §1),
 * or the 406 Atlas answers when it names none of `versions`.
 */
export function negotiateVersion(
  accept: string,
  versions: readonly string[],
): { version: string } | Omit<ApiErrorSpec, 'kind'> {
  const version = /application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2}|preview)\+json/.exec(accept)?.[1] ?? null;
  if (version !== null && versions.includes(version)) return { version };
  return {
    status: 406,
    errorCode: 'INVALID_VERSION_DATE',
    detail: version
      ? `Version ${version} is not available for this resource; use one of ${versions.join(', ')}.`
      : `Missing or invalid Accept header; send application/vnd.atlas.<date>+json with one of ${versions.join(', ')}.`,
    parameters: [accept],
  };
}

/** The request body as text; a body over 64 KiB destroys the request (the simulator takes tiny bodies). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // The token form is tiny; refuse to buffer anything large.
      if (size > 64 * 1024) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
