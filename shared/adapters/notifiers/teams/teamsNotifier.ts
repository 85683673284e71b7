import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import { fingerprintOf } from '../fingerprint';
import { ensureAccepted, postJson } from '../postJson';
import { buildTeamsMessage } from './buildTeamsMessage';

/** Teams through a Workflows "When a Teams webhook request is received" URL (answers 202). */
export function createTeamsNotifier(config: { webhookUrl: string; minSeverity: MinSeverity; timeoutMs?: number; settingPrefix?: string }): Notifier {
  const prefix = config.settingPrefix ?? 'APNS_';
  return {
    channel: 'teams',
    minSeverity: config.minSeverity,
    fingerprint: fingerprintOf('teams', config.webhookUrl),
    async send(event) {
      const result = await postJson('teams', config.webhookUrl, buildTeamsMessage(event), { timeoutMs: config.timeoutMs });
      ensureAccepted('teams', result, { url: `${prefix}TEAMS_WEBHOOK_URL` });
    },
  };
}
