/** Injected faults for resilience tests: an error status, a connection reset or a delay, first-N or forever. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiError, ERROR_CODES } from './http.js';
import type { Responder } from './responder.js';

/** An injected failure for requests whose path matches. */
export interface Fault {
  /** HTTP method to match (default: any). */
  method?: string;
  /** Matched against the URL path (a string must be equal; a RegExp is tested). */
  path: RegExp | string;
  /** Respond with this status and an ApiError body (e.g. 500, 503, 403, 429). */
  status?: number;
  errorCode?: string;
  /** Sent as `Retry-After` (429 and 503). */
  retryAfterSeconds?: number;
  /** Destroy the socket instead of answering (a connection reset). */
  reset?: boolean;
  /** Delay before the fault (or the normal answer when no status/reset is set). */
  delayMs?: number;
  /** Fault only the first N matching requests, then behave; default: forever. */
  times?: number;
}

/** Applies the first matching fault; resolves true when the response was taken over. */
export type ApplyFault = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  endpoint: string,
) => Promise<boolean>;

export function createFaults(faults: readonly Fault[], responder: Responder): ApplyFault {
  const entries = faults.map((fault) => ({ fault, used: 0 }));
  const matches = (fault: Fault, req: IncomingMessage, url: URL): boolean =>
    (!fault.method || fault.method.toUpperCase() === req.method) &&
    (typeof fault.path === 'string' ? fault.path === url.pathname : fault.path.test(url.pathname));
  return async (req, res, url, endpoint) => {
    for (const entry of entries) {
      const { fault } = entry;
      if (!matches(fault, req, url)) continue;
      if (fault.times !== undefined && entry.used >= fault.times) continue;
      entry.used++;
      await responder.wait(fault.delayMs ?? 0);
      if (fault.reset) {
        responder.record(req, url, 0, endpoint);
        req.socket.destroy();
        return true;
      }
      if (fault.status !== undefined) {
        const headers: Record<string, number> = {};
        if (fault.retryAfterSeconds !== undefined) headers['Retry-After'] = fault.retryAfterSeconds;
        responder.record(req, url, fault.status, endpoint);
        await responder.send(
          res,
          fault.status,
          apiError({
            status: fault.status,
            errorCode: fault.errorCode ?? ERROR_CODES[fault.status] ?? 'UNEXPECTED_ERROR',
            detail: `Injected fault for ${url.pathname}.`,
          }),
          headers,
        );
        return true;
      }
      return false;
    }
    return false;
  };
}
