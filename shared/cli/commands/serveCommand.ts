import type { LogLevel } from '@azure/functions';
import { contextLogger } from '../../adapters/functions/contextLogger';
import { createRedactor } from '../../adapters/logging/redact';
import { secretsOf } from '../../composition/createServices';
import { createTenantAccess } from '../../composition/tenantAccess';
import type { AppConfig, Env } from '../../config/loadConfig';
import { parseFlags, type CliContext } from '../flags';
import { describeLocalApi, localViewer, parsePort, startLocalServer, untilStopped, type LocalServer } from '../localServer';
import { resolveStateFile } from '../stateFile';

export interface ServeOptions {
  env: Env;
  /** 0: any free port. */
  port: number;
  /** The CLI's state file; undefined: Table Storage (`APNS_STATE_CONNECTION` / `AzureWebJobsStorage`). */
  stateFile: string | undefined;
  log(level: LogLevel, text: string): void;
}

/** The HTTP functions on 127.0.0.1 for this config and state, with the person at this computer as the viewer. */
export async function startServing(config: AppConfig, options: ServeOptions): Promise<LocalServer> {
  const redact = createRedactor(secretsOf(config));
  // One set of sign-ins for the whole run, as a Functions process keeps one (tokens are reused).
  const access = createTenantAccess(config, { env: options.env });
  // Awaited by each request that needs it, which then answers the error; not an unhandled rejection meanwhile.
  access.catch(() => undefined);
  const { stateFile } = options;
  let served = config;
  const server = await startLocalServer({
    port: options.port,
    viewer: localViewer(),
    services: (context) => ({ config: served, logger: contextLogger(context, redact), access, ...(stateFile ? { stateFile } : {}) }),
    log: options.log,
  });
  // A proposal made here links to this page (where it is approved), unless the settings name one.
  if (!config.renewal.statusPageUrl) served = { ...config, renewal: { ...config.renewal, statusPageUrl: server.dashboardUrl } };
  return server;
}

/**
 * `apns-monitor serve [--port N] [--state-file PATH]`: the status page, its actions and the HTTP API
 * on 127.0.0.1, from the CLI's state (the state file, or Table Storage when configured), through the
 * deployed handlers. Runs until Ctrl-C or SIGTERM, then closes everything and exits 0.
 */
export async function runServeCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values } = parseFlags(args, {
    port: { type: 'string' },
    'state-file': { type: 'string' },
  });
  const port = parsePort(values.port);
  const config = ctx.loadConfig();
  const stateFile = resolveStateFile(config, ctx.env, values['state-file']);
  const server = await startServing(config, {
    env: ctx.env,
    port,
    stateFile,
    // Warnings and errors (already redacted by the handlers' loggers), as the other commands print them.
    log: (level, text) => {
      if (level === 'warning' || level === 'error' || level === 'critical') ctx.io.stderr(`${level === 'warning' ? 'warning' : 'error'}: ${text}`);
    },
  });
  const source = stateFile ? `the state file ${stateFile}` : `Table Storage (table ${config.state.table})`;
  // The page's URL last: it is what a person clicks (and what scripts look for).
  ctx.io.stdout(`Serving the status page and the HTTP API on 127.0.0.1 only, from ${source}. Ctrl-C stops it.\n${describeLocalApi(server)}\n${server.dashboardUrl}`);
  await untilStopped();
  await server.close();
  return 0;
}
