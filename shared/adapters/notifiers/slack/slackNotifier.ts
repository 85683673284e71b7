import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import type { MessageContext } from '../messageContext';
import { ensureAccepted, postJson } from '../postJson';
import { buildSlackMessage } from './buildSlackMessage';

/** Slack incoming webhook (answers 200 "ok"; 4xx like "invalid_token" or "no_service" are final). */
export function createSlackNotifier(config: { webhookUrl: string; minSeverity: MinSeverity }, ctx: MessageContext): Notifier {
  return {
    channel: 'slack',
    minSeverity: config.minSeverity,
    async send(event) {
      const result = await postJson('slack', config.webhookUrl, buildSlackMessage(event, ctx));
      // Slack's error words ("invalid_payload", "channel_is_archived") are safe and useful.
      const reason = /^[a-z_]{3,40}$/.test(result.text.trim()) ? ` (${result.text.trim()})` : '';
      ensureAccepted('slack', result, reason);
    },
  };
}
