import { DASHBOARD_SCRIPT } from '../../../shared/dashboard/dashboardScript';
import { ACKNOWLEDGEMENT_SCRIPT } from '../../../shared/dashboard/renderAcknowledgements';
import { renderDashboard } from '../../../shared/dashboard/renderDashboard';
import { contoso, CONTOSO_ID, fleetView, HOSTILE_ACK_REASON, NOW } from './dashboardFixtures';

const NONCE = 'dGVzdC1ub25jZS0xMjM0NTY3OA==';
const render = (canRenew: boolean) => renderDashboard({ view: fleetView(), viewer: { name: 'alex@contoso.com', canRenew }, nonce: NONCE, now: NOW, selectedTenantId: CONTOSO_ID });
const section = (page: string) => page.split('<h2 id="acks-h">')[1]?.split('<h2 ')[0] ?? '';
const keyOf = (kind: string) => contoso().assets.find((a) => a.kind === kind)?.key as string;

describe('the tenant view’s acknowledgements', () => {
  test('when an alert is acknowledged, the page shows who, why (escaped) and until when', () => {
    const acks = section(render(false));
    const table = acks.match(/<table id="acknowledgements"[^]*?<\/table>/)?.[0] ?? '';
    expect(table.match(/<tr>/g)).toHaveLength(2); // the header and the ADE token
    expect(table).toContain('ADE token &quot;Contoso DEP&quot;');
    expect(table).toContain('sam@contoso.com<span class="sub">Renewal booked Thursday &lt;img src=x onerror=alert(4)&gt;</span>');
    expect(table).toContain('<time datetime="2026-11-27T08:00:00.000Z">2026-11-27 08:00 UTC</time><span class="sub">in 4 days</span>');
    expect(acks).not.toContain(HOSTILE_ACK_REASON);
    // The audit trail's line says the same.
    expect(acks).toMatch(/sam@contoso.com acknowledged ADE token &quot;Contoso DEP&quot; \(Warning\) until 2026-11-27/);
  });

  test('when an Operator looks, the form offers only what may be acknowledged (never expired, the monitor, an acknowledged or unused one) up to 30 days or the expiry', () => {
    const acks = section(render(true));
    expect(acks).toContain('<form id="ack" class="dryrun" method="post" action="/api/apns/dashboard/ack"');
    const options = [...acks.matchAll(/<option value="([^"]+)" data-max="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    // Each up to 30 days ahead, or its date when sooner (the partner's: NOW + 19.5 days).
    expect(options).toEqual([
      [keyOf('certconnectors'), '2026-12-23'],
      [keyOf('partners'), '2026-12-12'],
    ]);
    expect(acks).toContain('min="2026-11-24" max="2026-12-23"');
    const attr = (text: string) => text.replace(/"/g, '&quot;');
    expect(acks).toContain(`<form class="unack" method="post" action="/api/apns/dashboard/unack"><input type="hidden" name="key" value="${attr(keyOf('ade'))}">`);
  });

  test('when a reader looks, there is no form and no "End" button, only how to get the role or use the CLI', () => {
    const acks = section(render(false));
    expect(acks).not.toContain('<form');
    expect(acks).toContain('apns-monitor ack KEY --until DATE --reason TEXT');
  });

  test('when the page is served, its one script carries the acknowledgement part, which shows answers as text only', () => {
    expect(DASHBOARD_SCRIPT.endsWith(ACKNOWLEDGEMENT_SCRIPT)).toBe(true);
    expect(ACKNOWLEDGEMENT_SCRIPT).not.toMatch(/innerHTML|insertAdjacentHTML|document\.write/);
  });
});
