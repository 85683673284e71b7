import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { HttpRequest } from '@azure/functions';
import { compressResponse, negotiateEncoding } from '../../../../shared/adapters/functions/compressResponse';

const request = (acceptEncoding?: string) => new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/apns/status', headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } });

describe('compressResponse', () => {
  test.each([
    [null, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip', 'gzip'],
    ['gzip, deflate, br, zstd', 'br'],
    ['BR;Q=0.5, gzip', 'gzip'],
    ['gzip;q=0.8, br', 'br'],
    ['br;q=0, gzip', 'gzip'],
    ['br;q=0, gzip;q=0', undefined],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['deflate', undefined],
  ] as const)('when Accept-Encoding is %p, the coding is %p', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });

  test('when JSON is accepted compressed, the body is the JSON compressed with its content type, and the other headers are kept', async () => {
    const jsonBody = { tenants: Array.from({ length: 50 }, (_, i) => ({ tenantId: `t${i}`, severity: 'ok' })) };
    const response = await compressResponse(request('gzip'), { status: 200, jsonBody, headers: { 'cache-control': 'no-store' } });
    expect(response.jsonBody).toBeUndefined();
    expect(response.headers).toEqual({ 'cache-control': 'no-store', 'content-type': 'application/json', 'content-encoding': 'gzip', vary: 'accept-encoding' });
    expect(JSON.parse(gunzipSync(response.body as Buffer).toString('utf8'))).toEqual(jsonBody);
  });

  test('when HTML is accepted as brotli, it decodes to the same text, multi-byte characters included', async () => {
    const html = `<p>Zoë’s tenants ✓</p>${'<tr><td>Customer</td></tr>'.repeat(200)}`;
    const response = await compressResponse(request('br'), { status: 200, body: html, headers: { 'content-type': 'text/html; charset=utf-8' } });
    expect(response.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'br', vary: 'accept-encoding' });
    expect(brotliDecompressSync(response.body as Buffer).toString('utf8')).toBe(html);
  });

  test('when the client accepts no coding, or the body is small, it is sent as it is, with vary: accept-encoding', async () => {
    const big = { status: 200, jsonBody: { text: 'x'.repeat(5000) } };
    await expect(compressResponse(request(), big)).resolves.toEqual({ ...big, headers: { vary: 'accept-encoding' } });
    const small = { status: 200, body: '<p>ok</p>' };
    await expect(compressResponse(request('br'), small)).resolves.toEqual({ ...small, headers: { vary: 'accept-encoding' } });
  });
});
