/**
 * Reading an answer's body with a bound. A peer that streams without end (a channel receiver that
 * answered 200 and never finished its body once drove the CLI to 3 GB in 13 s) costs at most
 * `maxBytes` of memory, and the rest is never read: the stream is cancelled, which closes the
 * connection. The request's own timeout still bounds a body that only trickles.
 */
export class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the answer's body is larger than ${describeBytes(maxBytes)}`);
    this.name = 'BodyTooLargeError';
  }
}

/** "1 MB", "64 KB": for messages. */
export function describeBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MB` : `${Math.round(bytes / 1024)} KB`;
}

/** The body as UTF-8 text, or BodyTooLargeError once more than `maxBytes` arrived (or were announced). */
export async function readBoundedText(response: Response, maxBytes: number): Promise<string> {
  const body = response.body;
  if (!body) return '';
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await body.cancel().catch(() => undefined);
    throw new BodyTooLargeError(maxBytes);
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
