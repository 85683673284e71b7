import { contextLogger } from '../../../../shared/adapters/functions/contextLogger';
import { createRedactor } from '../../../../shared/adapters/logging/redact';
import { escapeLogText } from '../../../../shared/adapters/notifiers/plainText';
import { createLogNotifier } from '../../../../shared/adapters/notifiers/logNotifier';
import { alertConsole, cliLogger } from '../../../../shared/cli/cliIo';
import type { Logger } from '../../../../shared/ports/logger';
import { apnsEvent } from '../../../fakes/events';
import { bufferIo } from '../../../support/bufferIo';
import { recordingContext } from '../../../support/functionEnv';

// Text from Graph must not forge log lines (SPEC §4): an Apple ID with CR/LF once printed a fake
// "ERROR" line of its own.

const FORGED = 'mdm-admin@contoso.com\r\n2026-11-23T08:00:00Z ERROR: renewal uploaded by attacker';
const BREAKS = /[\r\n\u0085\u2028\u2029]/;

describe('escapeLogText', () => {
  test.each([
    ['CR and LF', 'a\r\nb', 'a\\r\\nb'],
    ['a tab', 'a\tb', 'a\\tb'],
    ['U+2028 and U+2029', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['NEL (U+0085)', 'a\u0085b', 'a\\u0085b'],
    ['an ANSI escape', 'a\u001b[31mred', 'a\\u001b[31mred'],
    ['a bidi override', 'a\u202eb', 'a\\u202eb'],
    ['plain text and backslashes', 'C:\\temp é 😀', 'C:\\temp é 😀'],
  ])('when a value holds %s, it is shown escaped on one line', (_what, input, expected) => {
    expect(escapeLogText(input)).toBe(expected);
  });
});

describe('the log channel and the loggers', () => {
  const forgedEvent = () => apnsEvent(5, 'alert', 'evt-1', { appleIdentifier: FORGED });

  test('when an Apple ID holds CR/LF, the log channel logs one line per call, as many calls as lines, and the forged line stays inside one', async () => {
    const calls: { level: string; message: string; eventId: unknown }[] = [];
    const record = (level: string) => (message: string, p?: Record<string, unknown>) => calls.push({ level, message, eventId: p?.eventId });
    const logger: Logger = { info: record('info'), warn: record('warn'), error: record('error') };
    const event = forgedEvent();
    await createLogNotifier(logger).send(event);
    expect(calls).toHaveLength(2 + event.nextSteps.length);
    expect(calls.filter((c) => BREAKS.test(c.message))).toEqual([]);
    expect(new Set(calls.map((c) => `${c.level} ${String(c.eventId)}`))).toEqual(new Set(['error evt-1']));
    expect(calls.some((c) => c.message.includes('mdm-admin@contoso.com\\r\\n2026-11-23T08:00:00Z ERROR'))).toBe(true);
    expect(calls.filter((c) => c.message.startsWith('2026-11-23T08:00:00Z ERROR'))).toEqual([]);
  });

  test('when the Functions logger gets a message and properties with line breaks, each log call is one line, redacted', () => {
    const context = recordingContext('checkApnsExpiry');
    const logger = contextLogger(context, createRedactor(['SECRET-VALUE-123']));
    logger.warn(`refused for ${FORGED} with SECRET-VALUE-123`, { asset: 'Contoso\nVPP', appleId: FORGED });
    expect(context.lines).toHaveLength(1);
    expect(context.lines[0]).not.toMatch(BREAKS);
    expect(context.lines[0]).not.toContain('SECRET-VALUE-123');
    expect(context.lines[0]).toContain('mdm-admin@contoso.com\\r\\n2026-11-23T08:00:00Z ERROR');
  });

  test('when the CLI logger gets a message with line breaks, it writes one line to stderr', () => {
    const io = bufferIo({});
    const logger = cliLogger(io, createRedactor(), true);
    logger.info(`Sent for ${FORGED}`);
    logger.error(`Failed for ${FORGED}\u2028forged`);
    expect(io.err).toHaveLength(2);
    expect(io.err.filter((l) => BREAKS.test(l))).toEqual([]);
    expect(io.out).toEqual([]);
  });

  test('when the CLI prints alerts, each event starts after a blank line and no Graph text adds a line', async () => {
    const io = bufferIo({});
    const channel = createLogNotifier(alertConsole(io, createRedactor()));
    const first = forgedEvent();
    await channel.send(first);
    await channel.send(apnsEvent(5, 'alert', 'evt-2'));
    const printed = io.err.join('\n').split('\n');
    expect(printed.filter((l) => l === '')).toHaveLength(2); // one blank line before each event
    expect(printed.filter((l) => l !== '')).toHaveLength(2 * (2 + first.nextSteps.length));
    expect(printed.filter((l) => l.startsWith('2026-11-23T08:00:00Z ERROR'))).toEqual([]);
  });
});
