import { Webhook } from 'standardwebhooks';
import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import { fingerprintOf } from '../fingerprint';
import { ensureAccepted, postJson } from '../postJson';
import { buildWebhookEvent } from './buildWebhookEvent';

/**
 * A signed JSON event per Standard Webhooks: `webhook-id` (the event id, stable across retries),
 * `webhook-timestamp` (this attempt, seconds) and `webhook-signature` (`v1,<base64 HMAC-SHA256>`),
 * made with the reference `standardwebhooks` package so receivers verify with the same code.
 */
export function createWebhookNotifier(config: { url: string; secret: string; minSeverity: MinSeverity; timeoutMs?: number; settingPrefix?: string }, clock: () => number = Date.now): Notifier {
  const prefix = config.settingPrefix ?? 'APNS_';
  const signer = new Webhook(config.secret);
  return {
    channel: 'webhook',
    minSeverity: config.minSeverity,
    // Where it sends: the URL. A new secret alone does not bring a gone receiver back.
    fingerprint: fingerprintOf('webhook', config.url),
    async send(event) {
      const body = JSON.stringify(buildWebhookEvent(event));
      const at = new Date(clock());
      const headers = {
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign(event.id, at, body),
      };
      const result = await postJson('webhook', config.url, body, { headers, timeoutMs: config.timeoutMs });
      ensureAccepted('webhook', result, { url: `${prefix}WEBHOOK_URL` });
    },
  };
}
