import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import { fingerprintOf } from '../fingerprint';
import { ensureAccepted, postJson } from '../postJson';
import { buildSlackMessage } from './buildSlackMessage';

/** Slack incoming webhook (answers 200 "ok"; 4xx like "invalid_token" or "no_service" are final). */
export function createSlackNotifier(config: { webhookUrl: string; minSeverity: MinSeverity; timeoutMs?: number; settingPrefix?: string }): Notifier {
  const prefix = config.settingPrefix ?? 'APNS_';
  return {
    channel: 'slack',
    minSeverity: config.minSeverity,
    fingerprint: fingerprintOf('slack', config.webhookUrl),
    async send(event) {
      const result = await postJson('slack', config.webhookUrl, buildSlackMessage(event), { timeoutMs: config.timeoutMs });
      // Slack's error words ("invalid_payload", "channel_is_archived") are safe and useful.
      const reason = /^[a-z_]{3,40}$/.test(result.text.trim()) ? ` (${result.text.trim()})` : '';
      ensureAccepted('slack', result, { url: `${prefix}SLACK_WEBHOOK_URL` }, reason);
    },
  };
}
