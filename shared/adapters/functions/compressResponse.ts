import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

export type ContentCoding = 'br' | 'gzip';

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

// Below this the headers cost about what compression saves.
const MIN_BYTES = 1024;
// Brotli's default quality (11) takes seconds for the 3 MB page of 1,000 tenants; 5 takes ~12 ms here
// and still makes it ~40 times smaller (figures in `npm run bench`).
const BROTLI_QUALITY = 5;

/**
 * The content coding to answer with, from `Accept-Encoding` (RFC 9110 §12.5.3): the one of brotli and
 * gzip the client weighs higher (q, by name or by `*`; brotli on a tie), none when it accepts neither.
 */
export function negotiateEncoding(header: string | null | undefined): ContentCoding | undefined {
  if (!header) return undefined;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (!name) continue;
    const value = params.map((p) => /^q=([0-9.]+)$/.exec(p)?.[1]).find((v) => v !== undefined);
    q.set(name, value === undefined ? 1 : Number(value));
  }
  const weight = (coding: ContentCoding) => q.get(coding) ?? q.get('*') ?? 0;
  const [br, gz] = [weight('br'), weight('gzip')];
  if (br <= 0 && gz <= 0) return undefined;
  return br >= gz ? 'br' : 'gzip';
}

/**
 * The response compressed as the client asked (`Accept-Encoding`), in the handler itself: the
 * Functions host on Linux (Flex Consumption) does not compress responses (azure-functions-host
 * issues 7285 and 9338), and `apns-monitor serve` passes the handlers' responses through as they are.
 * Text and `jsonBody` responses only; `vary: accept-encoding` on every answer, compressed or not.
 */
export async function compressResponse(request: HttpRequest, response: HttpResponseInit): Promise<HttpResponseInit> {
  const headers = Object.fromEntries(new Headers(response.headers as ConstructorParameters<typeof Headers>[0]));
  headers.vary = 'accept-encoding';
  const json = response.jsonBody !== undefined;
  const text = json ? JSON.stringify(response.jsonBody) : response.body;
  const coding = negotiateEncoding(request.headers.get('accept-encoding'));
  if (typeof text !== 'string' || coding === undefined || Buffer.byteLength(text) < MIN_BYTES) return { ...response, headers };
  const bytes = Buffer.from(text);
  const body =
    coding === 'br'
      ? await brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT } })
      : await gzipped(bytes);
  const compressed: HttpResponseInit = { ...response, body, headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...headers, 'content-encoding': coding } };
  delete compressed.jsonBody;
  return compressed;
}
