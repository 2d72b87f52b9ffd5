// Reads JSON request bodies with hard limits: a body of another media type (415), size (413), UTF-8 (400), nesting
// depth checked on the raw text before JSON.parse (400), then string/array sizes and well-formed strings (400).
// Hostile input never reaches a handler.
import type { Context, Next } from 'koa';
import { AppError } from '../core/errors.ts';
import { jsonDepthExceeds, jsonLimitErrors, type JsonLimits } from '../core/json-limits.ts';

export interface BodyLimits extends JsonLimits {
  maxBytes: number;
}

const PARSED_METHODS = new Set(['POST', 'PUT', 'PATCH']);

async function readRaw(ctx: Context, maxBytes: number): Promise<Buffer> {
  const declared = Number(ctx.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw new AppError('payload-too-large', `the body may be at most ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      // Stop reading; the connection closes after the 413 so the rest of the upload is not waited for.
      ctx.set('Connection', 'close');
      throw new AppError('payload-too-large', `the body may be at most ${maxBytes} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function parseJsonBody(raw: Buffer, limits: JsonLimits): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch (error) {
    throw new AppError('bad-request', 'the body is not valid UTF-8', { cause: error });
  }
  if (text.trim() === '') return undefined;
  if (jsonDepthExceeds(text, limits.maxDepth)) throw new AppError('bad-request', `the JSON body nests deeper than ${limits.maxDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AppError('bad-request', 'the body is not valid JSON', { cause: error });
  }
  const errors = jsonLimitErrors(value, limits);
  if (errors.length > 0) throw new AppError('validation-failed', 'the request body exceeds a limit or holds invalid text', { errors });
  return value;
}

export function jsonBodyMiddleware(limits: BodyLimits) {
  return async (ctx: Context, next: Next) => {
    const request = ctx.request as { body?: unknown };
    if (PARSED_METHODS.has(ctx.method) && request.body === undefined) {
      // null: no body at all, or an empty one (reads as {}); false: a body whose Content-Type is missing or not JSON.
      const json = ctx.request.length === 0 ? null : ctx.is('application/json', '+json');
      if (json === false) {
        ctx.set('Connection', 'close');
        throw new AppError('unsupported-media-type', `the body must be application/json, not ${ctx.get('content-type') || 'untyped'}`);
      }
      if (json !== null) request.body = parseJsonBody(await readRaw(ctx, limits.maxBytes), limits);
    }
    await next();
  };
}
