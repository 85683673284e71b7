import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import { compressResponse } from '../shared/adapters/functions/compressResponse';
import { errorResponse } from '../shared/adapters/functions/httpErrors';
import { guardSettingsOf, hostGuard, type RequestGuard } from '../shared/adapters/functions/requestGuard';
import { loadCalendar } from '../shared/composition/createServices';
import { fallbackLogger, functionServices, type ServicesFor } from '../shared/composition/functionServices';

/**
 * GET /api/apns/calendar.ics[?tenant=ID…]: the expiry calendar (RFC 5545) of the watched tenants, or
 * of those named, from stored state (no Graph call): a feed a calendar subscribes to with the URL and
 * its function key (`?code=`), which calendar programs keep in the URL they poll.
 */
export function createCalendarHandler(deps: { services: ServicesFor; guard?: RequestGuard }): (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit> {
  return async function getApnsCalendar(request, context) {
    let logger = fallbackLogger(context);
    try {
      const services = deps.services(context);
      logger = services.logger;
      (deps.guard ?? hostGuard).admit(request, guardSettingsOf(services.config), { route: 'api', method: 'GET' });
      const feed = await loadCalendar(services.config, (await services.access).home, {
        stateFile: services.stateFile,
        tenants: request.query.getAll('tenant'),
        flag: '?tenant=<tenant ID>',
        code: 'invalid_request',
      });
      return await compressResponse(request, {
        status: 200,
        body: feed,
        headers: { 'content-type': 'text/calendar; charset=utf-8', 'content-disposition': 'inline; filename="apns-monitor.ics"', 'cache-control': 'no-store' },
      });
    } catch (error) {
      return errorResponse(error, context, logger);
    }
  };
}

export const getApnsCalendar = createCalendarHandler({ services: functionServices });

app.http('getApnsCalendar', {
  methods: ['GET'],
  route: 'apns/calendar.ics',
  authLevel: 'function',
  handler: getApnsCalendar,
});
