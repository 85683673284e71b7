/**
 * Event Grid's side of a webhook delivery, for the tests and the demo: what it posts to an Event
 * Grid trigger's endpoint (`…/runtime/webhooks/eventgrid?functionName=…&code=…`). The Event Grid
 * schema comes as a JSON array (`application/json`), the CloudEvents 1.0 schema one event per request
 * in structured mode (`application/cloudevents+json`); each delivery says `aeg-event-type: Notification`.
 */
export type EventSchema = 'eventgrid' | 'cloudevents';

const CONTENT_TYPE: Record<EventSchema, string> = {
  eventgrid: 'application/json; charset=utf-8',
  cloudevents: 'application/cloudevents+json; charset=utf-8',
};

export interface Delivered {
  status: number;
  body: string;
  headers: Headers;
}

async function send(url: string, init: RequestInit): Promise<Delivered> {
  const response = await fetch(url, init);
  return { status: response.status, body: await response.text(), headers: response.headers };
}

/** Delivers events as Event Grid would: one array request (Event Grid schema), or one request per event (CloudEvents). */
export async function deliverEvents(url: string, events: readonly unknown[], schema: EventSchema): Promise<Delivered[]> {
  const post = (body: unknown) => send(url, { method: 'POST', headers: { 'content-type': CONTENT_TYPE[schema], 'aeg-event-type': 'Notification' }, body: JSON.stringify(body) });
  if (schema === 'eventgrid') return [await post(events)];
  const out: Delivered[] = [];
  for (const event of events) out.push(await post(event));
  return out;
}

/**
 * The handshake when a subscription is created: the Event Grid schema's `SubscriptionValidation`
 * event (an array), or the CloudEvents abuse-protection `OPTIONS` request.
 */
export async function validateSubscription(url: string, schema: EventSchema, validationCode = '512d38b6-c7b8-40c8-89fe-f46f9e9622b6'): Promise<Delivered> {
  if (schema === 'cloudevents') return send(url, { method: 'OPTIONS', headers: { 'webhook-request-origin': 'eventgrid.azure.net' } });
  const event = {
    id: '2d1781af-3a4c-4d7c-bd0c-e34b19da4e66',
    topic: '/subscriptions/00000000-0000-0000-0000-000000000000',
    subject: '',
    data: { validationCode, validationUrl: 'https://rp-eastus2.eventgrid.azure.net:553/eventsubscriptions/sub/validate?id=0000&t=2026-12-05T00:00:00.0000000Z' },
    eventType: 'Microsoft.EventGrid.SubscriptionValidationEvent',
    eventTime: new Date().toISOString(),
    metadataVersion: '1',
    dataVersion: '1',
  };
  return send(url, { method: 'POST', headers: { 'content-type': CONTENT_TYPE.eventgrid, 'aeg-event-type': 'SubscriptionValidation' }, body: JSON.stringify([event]) });
}
