import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import type { MessageContext } from '../messageContext';
import { ensureAccepted, postJson } from '../postJson';
import { buildTeamsMessage } from './buildTeamsMessage';

/** Teams through a Workflows "When a Teams webhook request is received" URL (answers 202). */
export function createTeamsNotifier(config: { webhookUrl: string; minSeverity: MinSeverity }, ctx: MessageContext): Notifier {
  return {
    channel: 'teams',
    minSeverity: config.minSeverity,
    async send(event) {
      ensureAccepted('teams', await postJson('teams', config.webhookUrl, buildTeamsMessage(event, ctx)));
    },
  };
}
