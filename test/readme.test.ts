import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from '../shared/domain/errors';

const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');

describe('README', () => {
  test('when a newcomer opens it, the first commands are the demo and the tests', () => {
    const firstBlock = /```bash\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock.split('\n')[0]).toMatch(/^npm ci && npm run demo/);
    expect(firstBlock).toMatch(/^npm test/m);
  });

  test('when the HTTP API is documented, every error code of the product is in it', () => {
    for (const code of Object.keys(ERROR_CODES)) expect(readme).toContain(`\`${code}\``);
  });
});
