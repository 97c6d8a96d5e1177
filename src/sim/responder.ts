/**
 * How the simulator answers and counts: every response waits the configured latency, every answered
 * request lands in the log and the stats, and every pending timer can be cleared on close.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One served request. */
export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  accept: string | null;
}

export interface SimulatorStats {
  requests: number;
  byStatus: Record<number, number>;
  /** Keyed by `METHOD /path/{template}`. */
  byEndpoint: Record<string, number>;
  tokensIssued: number;
}

export interface Responder {
  /** Counts a request answered with `status` (0: the connection was reset). */
  record(req: IncomingMessage, url: URL, status: number, endpoint: string): void;
  /** Sends a JSON body after the configured latency (nothing when the socket is gone by then). */
  send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers?: Record<string, string | number>,
    contentType?: string,
  ): Promise<void>;
  /** Resolves after `ms`; cleared (never resolving) on close. */
  wait(ms: number): Promise<void>;
  tokenIssued(): void;
  stats(): SimulatorStats;
  resetStats(): void;
  readonly log: RequestLogEntry[];
  readonly latencyMs: number;
  clearTimers(): void;
}

export function createResponder(latencyMs: number): Responder {
  const log: RequestLogEntry[] = [];
  let stats: SimulatorStats = { requests: 0, byStatus: {}, byEndpoint: {}, tokensIssued: 0 };
  const timers = new Set<NodeJS.Timeout>();

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  return {
    log,
    latencyMs,
    wait,
    record: (req, url, status, endpoint) => {
      stats.requests++;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      stats.byEndpoint[endpoint] = (stats.byEndpoint[endpoint] ?? 0) + 1;
      log.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search.replace(/^\?/, ''),
        status,
        accept: req.headers.accept ?? null,
      });
    },
    send: async (res, status, body, headers = {}, contentType = 'application/json') => {
      await wait(latencyMs);
      if (res.destroyed) return;
      const text = JSON.stringify(body);
      res.writeHead(status, {
        'Content-Type': contentType,
        'Content-Length': Buffer.byteLength(text),
        ...headers,
      });
      res.end(text);
    },
    tokenIssued: () => {
      stats.tokensIssued++;
    },
    stats: () => ({
      requests: stats.requests,
      byStatus: { ...stats.byStatus },
      byEndpoint: { ...stats.byEndpoint },
      tokensIssued: stats.tokensIssued,
    }),
    resetStats: () => {
      stats = { requests: 0, byStatus: {}, byEndpoint: {}, tokensIssued: 0 };
      log.length = 0;
    },
    clearTimers: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
