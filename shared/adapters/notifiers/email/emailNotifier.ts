import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { AppError } from '../../../domain/errors';
import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import type { MessageContext } from '../messageContext';
import { buildEmailMessage } from './buildEmailMessage';

/** E-mail through Graph `POST /users/{from}/sendMail` (application permission Mail.Send); no SMTP. */
export function createEmailNotifier(config: { from: string; to: readonly string[]; minSeverity: MinSeverity }, ctx: MessageContext, client: Client): Notifier {
  return {
    channel: 'email',
    minSeverity: config.minSeverity,
    async send(event) {
      const message = buildEmailMessage(event, ctx);
      let response: Response;
      try {
        response = (await client
          .api(`/users/${encodeURIComponent(config.from)}/sendMail`)
          .version('v1.0')
          .responseType(ResponseType.RAW)
          .post({
            message: {
              subject: message.subject,
              body: { contentType: 'HTML', content: message.html },
              toRecipients: config.to.map((address) => ({ emailAddress: { address } })),
            },
            saveToSentItems: false,
          })) as Response;
      } catch (error) {
        throw new AppError('delivery_failed', 'email: Microsoft Graph could not be reached or no token could be obtained.', { retriable: true, cause: error });
      }
      await response.text().catch(() => '');
      if (response.status === 202 || response.ok) return;
      if (response.status === 403) {
        throw new AppError('delivery_failed', `email answered 403: the identity lacks the Graph application permission Mail.Send for ${config.from}.`, { retriable: false });
      }
      if (response.status === 404) throw new AppError('delivery_failed', `email answered 404: no mailbox ${config.from} (APNS_EMAIL_FROM).`, { retriable: false });
      const retriable = response.status === 429 || response.status >= 500;
      throw new AppError('delivery_failed', `email answered ${response.status}.`, { retriable });
    },
  };
}
