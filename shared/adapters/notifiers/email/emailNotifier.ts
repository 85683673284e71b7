import { ResponseType, type Client } from '@microsoft/microsoft-graph-client';
import { AppError } from '../../../domain/errors';
import type { MinSeverity } from '../../../domain/severity';
import type { Notifier } from '../../../ports/notifier';
import { fingerprintOf } from '../fingerprint';
import { DEFAULT_TIMEOUT_MS, readAnswer, refusal, timedOut } from '../postJson';
import { buildEmailMessage } from './buildEmailMessage';

export interface EmailConfig {
  from: string;
  to: readonly string[];
  minSeverity: MinSeverity;
  timeoutMs?: number;
  /** Where `EMAIL_TO` is set, for messages that name it: `APNS_` (default), or a route's `APNS_ROUTE_ACME_`. */
  settingPrefix?: string;
}

/**
 * E-mail through Graph `POST /users/{from}/sendMail` (application permission Mail.Send); no SMTP.
 * The request is aborted after `timeoutMs` and redirects are not followed, as for the webhooks.
 */
export function createEmailNotifier(config: EmailConfig, client: Client): Notifier {
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    channel: 'email',
    minSeverity: config.minSeverity,
    fingerprint: fingerprintOf('email', config.from.toLowerCase(), ...config.to.map((t) => t.toLowerCase()).sort()),
    async send(event) {
      const message = buildEmailMessage(event);
      const signal = AbortSignal.timeout(timeoutMs);
      let response: Response;
      try {
        response = (await client
          .api(`/users/${encodeURIComponent(config.from)}/sendMail`)
          .version('v1.0')
          .responseType(ResponseType.RAW)
          .options({ signal, redirect: 'manual' })
          .post({
            message: {
              subject: message.subject,
              body: { contentType: 'HTML', content: message.html },
              toRecipients: config.to.map((address) => ({ emailAddress: { address } })),
            },
            saveToSentItems: false,
          })) as Response;
      } catch (error) {
        if (signal.aborted) throw timedOut('email', timeoutMs, error, 'Microsoft Graph sendMail did not answer');
        throw new AppError('delivery_failed', 'email: Microsoft Graph could not be reached or no token could be obtained.', { retriable: true, cause: error });
      }
      await readAnswer('email', response);
      if (response.status === 202 || response.ok) return;
      if (response.status === 403) {
        throw new AppError('delivery_failed', `email answered 403: the identity lacks the Graph application permission Mail.Send for ${config.from}.`, { retriable: false });
      }
      if (response.status === 404) throw new AppError('delivery_failed', `email answered 404: no mailbox ${config.from} (APNS_EMAIL_FROM).`, { retriable: false });
      throw refusal('email', response.status, response.headers, { url: 'APNS_GRAPH_BASE_URL', gone: `APNS_EMAIL_FROM or ${config.settingPrefix ?? 'APNS_'}EMAIL_TO` });
    },
  };
}
