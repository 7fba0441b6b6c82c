import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type express from "express";
import pino from "pino";
import { pinoHttp } from "pino-http";

/**
 * One line per request for operators: with `json` (LOG_FORMAT=json) a pino
 * JSON line, otherwise a readable line. Each carries a request id: the
 * proxy's X-Request-Id when it is a plain token, else a new one; it is sent
 * back in X-Request-Id so a member's complaint can be matched to its line.
 *
 * No personal data: no headers (cookies, addresses), no query string (a
 * sign-in link's token, a search for a name), and any path segment that
 * looks like a token (20+ letters, digits, - or _) replaced by "…". A person
 * appears only as ids in a path. Successful health checks are not logged.
 */
export function requestLogger(format: "text" | "json"): express.RequestHandler {
  if (format === "json") {
    const log = pinoHttp({
      logger: pino({
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
      }),
      genReqId: (req, res) => assignId(req, res),
      autoLogging: { ignore: isHealthCheck },
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: safePath(req.url),
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
        err: pino.stdSerializers.err,
      },
      customSuccessMessage: (req, res) =>
        `${req.method} ${safePath(req.url ?? "")} ${res.statusCode}`,
      customErrorMessage: (req, res) =>
        `${req.method} ${safePath(req.url ?? "")} ${res.statusCode}`,
      customLogLevel: (_req, res, error) =>
        error || res.statusCode >= 500 ? "error" : res.statusCode >= 400 ? "warn" : "info",
    });
    return (req, res, next) => log(req, res, next);
  }
  return (req, res, next) => {
    const id = assignId(req, res);
    const started = process.hrtime.bigint();
    res.on("finish", () => {
      if (isHealthCheck(req) && res.statusCode === 200) return;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(
        `${new Date().toISOString()} ${req.method} ${safePath(req.originalUrl)} ${res.statusCode} ${ms.toFixed(1)}ms id=${id}`,
      );
    });
    next();
  };
}

function assignId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers["x-request-id"];
  const id = typeof given === "string" && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
  (req as IncomingMessage & { id?: string }).id = id;
  res.setHeader("X-Request-Id", id);
  return id;
}

function isHealthCheck(req: IncomingMessage): boolean {
  return req.url === "/healthz";
}

/** The path without its query, tokens masked. */
export function safePath(url: string): string {
  const path = url.split("?")[0] ?? "";
  return path.replace(/[A-Za-z0-9_-]{20,}/g, "…");
}
