/**
 * Reading response bodies within bounds. fetch decompresses gzip and deflate as it streams, so a 400 KB
 * compressed body can become 400 MB in memory; the bytes are counted as they arrive, after
 * decompression, and the read stops at the cap. Redirects are never followed (credentials must reach
 * only the configured base URL): a 3xx answer is described, not obeyed.
 */

/** The largest API response read: a page of 500 users is about 0.5 MB, so 32 MiB is 60 times that. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** The largest error body read (an Atlas ApiError is a few hundred bytes). */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The body was larger than the cap; the rest was not read. */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the response body is larger than ${maxBytes} bytes (after decompression); not read further`);
    this.name = 'BodyTooLargeError';
  }
}

/** The body as UTF-8 text, at most `maxBytes` of it (decompressed); throws BodyTooLargeError beyond. */
export async function readBodyText(response: Response, maxBytes = MAX_RESPONSE_BYTES): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** For a 3xx answer: where it pointed, in words; null for any other status. */
export function redirectDetail(response: Response): string | null {
  if (response.status < 300 || response.status > 399) return null;
  const location = response.headers.get('location');
  let where = 'no Location';
  if (location) {
    try {
      const url = new URL(location, response.url || 'http://invalid.invalid');
      where = `${url.origin}${url.pathname}`;
    } catch {
      where = 'an invalid Location';
    }
  }
  return `the server answered HTTP ${response.status}, a redirect to ${where}; redirects are never followed`;
}

/** Reads an Atlas `ApiError` (or OAuth error) body without failing on anything unexpected. */
export async function readErrorBody(
  response: Response,
): Promise<{ errorCode: string | null; detail: string | null }> {
  const redirect = redirectDetail(response);
  if (redirect) {
    await response.body?.cancel().catch(() => {});
    return { errorCode: null, detail: redirect };
  }
  const text = await readBodyText(response, MAX_ERROR_BODY_BYTES).catch(() => '');
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const errorCode =
      typeof body.errorCode === 'string'
        ? body.errorCode
        : typeof body.error === 'string'
          ? body.error
          : null;
    const detail =
      typeof body.detail === 'string'
        ? body.detail
        : typeof body.error_description === 'string'
          ? body.error_description
          : typeof body.reason === 'string'
            ? body.reason
            : null;
    return { errorCode, detail };
  } catch {
    return { errorCode: null, detail: text ? text.slice(0, 200) : null };
  }
}
