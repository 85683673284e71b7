import { TableClient } from '@azure/data-tables';
import { QueueClient } from '@azure/storage-queue';
import { uniqueQueueName, uniqueTableName } from './azurite';

describe('Azurite started for the test run', () => {
  test('when a test uses APNS_TEST_STORAGE_CONNECTION, the same connection string serves tables and queues', async () => {
    const cs = process.env.APNS_TEST_STORAGE_CONNECTION as string;
    expect(cs).toMatch(/TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;/);
    expect(cs).toMatch(/QueueEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;/);
    const table = TableClient.fromConnectionString(cs, uniqueTableName('both'), { allowInsecureConnection: true });
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 1 });
    const queue = new QueueClient(cs, uniqueQueueName('both'));
    await queue.create();
    await queue.sendMessage('aGVsbG8=');
    expect((await table.getEntity('p', 'r')).value).toBe(1);
    expect((await queue.peekMessages()).peekedMessageItems.map((m) => m.messageText)).toEqual(['aGVsbG8=']);
  });

  test('when a test uses APNS_TEST_TABLE_CONNECTION, it is the table endpoint alone, as before', () => {
    const cs = process.env.APNS_TEST_TABLE_CONNECTION as string;
    expect(cs).toMatch(/TableEndpoint=/);
    expect(cs).not.toMatch(/QueueEndpoint=/);
  });

  test('when queue names are made for tests, they are valid and leave room for "-poison"', () => {
    const names = Array.from({ length: 3 }, () => uniqueQueueName('A_Very-Long_Prefix-For-A-Queue-Name-In-A-Test'));
    for (const name of names) {
      expect(name).toMatch(/^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$/);
      expect(name.length + '-poison'.length).toBeLessThanOrEqual(63);
    }
  });
});
