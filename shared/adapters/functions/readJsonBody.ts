import type { HttpRequest } from '@azure/functions';
import { AppError } from '../../domain/errors';

/**
 * Reads a small JSON body: refused (`invalid_request`) when larger than `maxBytes` — first by its
 * declared length, before reading — or not JSON. An empty body is undefined.
 */
export async function readJsonBody(request: HttpRequest, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  const tooLarge = () => new AppError('invalid_request', `The request body is larger than ${maxBytes / 1024} KB.`);
  if (declared > maxBytes) throw tooLarge();
  const text = await request.text();
  if (Buffer.byteLength(text) > maxBytes) throw tooLarge();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('invalid_request', 'The request body is not valid JSON.');
  }
}
