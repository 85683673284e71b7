import { AppError } from '../../../shared/domain/errors';
import { retryOnConflict } from '../../../shared/useCases/retryOnConflict';

const conflict = () => new AppError('state_conflict', 'Another run saved first.');

describe('retryOnConflict (read, decide, save on the version read)', () => {
  test('when another writer saved first, the whole attempt runs again from the read, and its result is returned', async () => {
    const seen: number[] = [];
    const result = await retryOnConflict(5, async (n) => {
      seen.push(n);
      if (n < 3) throw conflict();
      return `saved on attempt ${n}`;
    }, (n) => seen.push(-n));
    expect(result).toBe('saved on attempt 3');
    expect(seen).toEqual([1, -1, 2, -2, 3]);
  });

  test('when the conflicts outlast the attempts, the last conflict is thrown after exactly that many attempts', async () => {
    let attempts = 0;
    await expect(retryOnConflict(3, async () => {
      attempts++;
      throw conflict();
    })).rejects.toMatchObject({ code: 'state_conflict' });
    expect(attempts).toBe(3);
  });

  test('any other error is thrown at once, never retried', async () => {
    let attempts = 0;
    await expect(retryOnConflict(5, async () => {
      attempts++;
      throw new AppError('state_unavailable', 'The table did not answer.');
    })).rejects.toMatchObject({ code: 'state_unavailable' });
    expect(attempts).toBe(1);
  });
});
