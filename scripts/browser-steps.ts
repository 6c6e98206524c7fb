/**
 * The steps of `npm run test:browser`, in order: start what the test needs, then what a person
 * does in MCP Inspector's web UI, each with what it checks on the way and the line it reports.
 * State found by one step (the server's URL, the page, the created incident) is kept in `Run`.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureChromium, launchChromium, openLog, startIncidentServer, startInspector, type IncidentServer, type Inspector } from './browser-stack.ts';
import * as ui from './browser-ui.ts';

const SERVER_ID = 'incidents';
const CLIENT_ID = 'dev-public';
const USER = 'ada@example.com';
const TOOLS = ['create_incident', 'list_incidents', 'update_incident'];
const INCIDENT: ui.IncidentForm = {
  title: `Disk full on db-2 (browser test ${new Date().toISOString().slice(11, 19)})`,
  severity: 'high',
  status: 'open',
  description: 'Created from MCP Inspector in headless Chromium by npm run test:browser.',
};

export interface Step {
  readonly name: string;
  /** The screenshot's file name, for steps that happen in the browser. */
  readonly shot?: string;
  readonly timeoutMs?: number;
  run(): Promise<string>;
}

/** The shared state of one run, filled in as the steps go. */
export interface Run {
  server?: IncidentServer;
  inspector?: Inspector;
  page?: Page;
  uiUrl?: URL;
  created?: string | undefined;
}

export const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
const masked = (url: URL): string => url.href.replace(/(API_TOKEN=)[^&]+/, '$1…');

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Fills and sends create_incident; the created line, or undefined when a step-up is asked for. */
async function createIncident(page: Page): Promise<string | undefined> {
  await ui.fillCreateIncident(page, INCIDENT);
  const outcome = await ui.executeTool(page);
  if ('stepUp' in outcome) return undefined;
  const line = /Created incident #\d+ .*/.exec(outcome.result)?.[0];
  check(line !== undefined && line.includes(INCIDENT.title), `the tool answered: ${oneLine(outcome.result).slice(0, 300)}`);
  return line;
}

/** Where the steps write and what they may start; `stop` registers how to stop what was started. */
export interface StepContext {
  readonly out: string;
  readonly work: string;
  readonly uiHost: string | undefined;
  stop(what: string, how: () => Promise<void>): void;
}

export function browserSteps(run: Run, { out, work, uiHost, stop }: StepContext): Step[] {
  const page = (): Page => run.page as Page;
  const server = (): IncidentServer => run.server as IncidentServer;
  const origin = (): string => (run.uiUrl as URL).origin;
  return [
    // Synchronous: bounded by apt-get's own time limits, not by the step's.
    { name: 'chromium installed', run: async () => `/usr/bin/chromium ${ensureChromium()}` },
    {
      name: 'server and issuer started',
      run: async () => {
        run.server = await startIncidentServer(work, openLog(join(out, 'server.log')));
        stop('server and issuer', server().stop);
        return `${server().url}, issuer ${server().issuer}`;
      },
    },
    {
      name: 'Inspector started',
      run: async () => {
        run.inspector = await startInspector(join(work, 'inspector-home'), openLog(join(out, 'inspector.log')));
        stop('Inspector', (run.inspector as Inspector).stop);
        run.uiUrl = new URL(run.inspector.url);
        if (uiHost !== undefined) run.uiUrl.hostname = uiHost;
        return `opening ${masked(run.uiUrl)}`;
      },
    },
    {
      name: 'Chromium launched',
      run: async () => {
        const context = await launchChromium(join(work, 'chromium-profile'));
        stop('Chromium', () => context.close());
        run.page = context.pages()[0] ?? (await context.newPage());
        page().setDefaultTimeout(15_000);
        return `headless, ${context.browser()?.version() ?? 'version unknown'}`;
      },
    },
    { name: 'Inspector page open', shot: '01-inspector', run: async () => (await ui.openInspector(page(), (run.uiUrl as URL).href), 'server list shown') },
    {
      name: 'server added (no token)',
      shot: '02-server-added',
      run: async () => (await ui.addServer(page(), SERVER_ID, server().url), `${SERVER_ID}: streamable-http ${server().url}`),
    },
    {
      name: 'OAuth client id set',
      shot: '03-oauth-client-id',
      run: async () => {
        const redirect = await ui.setClientId(page(), SERVER_ID, CLIENT_ID);
        check(redirect === `${origin()}/oauth/callback`, `the Inspector's redirect URI is ${redirect}`);
        return `Client ID ${CLIENT_ID}, redirect URI ${redirect}`;
      },
    },
    {
      name: 'connect → 401 → sign-in page',
      shot: '04-sign-in',
      run: async () => {
        await ui.closeSettings(page());
        const authorize = await ui.connectToSignIn(page(), SERVER_ID, server().issuer);
        const lines = server().lines;
        const unauthorized = lines.findIndex((line) => line.includes('"path":"/mcp","status":401'));
        const metadata = lines.findIndex((line) => line.includes('"path":"/.well-known/oauth-protected-resource/mcp","status":200'));
        check(unauthorized >= 0, 'the server answered no request with 401');
        check(metadata > unauthorized, 'the Inspector did not read the Protected Resource Metadata after the 401');
        const asked = Object.fromEntries(authorize.searchParams);
        check(asked.client_id === CLIENT_ID && asked.code_challenge_method === 'S256', `authorize request: ${authorize.search}`);
        check(asked.resource === server().url, `resource=${asked.resource ?? '(none)'}`);
        return `PRM read after the 401; PKCE S256; scopes asked: ${(await ui.requestedScopes(page())).join(' ')}`;
      },
    },
    {
      name: `${USER} allows → connected`,
      shot: '05-connected',
      run: async () => {
        await ui.approve(page(), USER, origin());
        await ui.waitConnected(page(), SERVER_ID);
        return 'back in the Inspector, server card Connected';
      },
    },
    { name: 'tools listed', shot: '06-tools', run: async () => (await ui.openTab(page(), 'Tools'), await ui.listedTools(page(), TOOLS)) + `: ${TOOLS.join(', ')}` },
    {
      name: 'create_incident → step-up asked',
      shot: '07-step-up',
      run: async () => {
        run.created = await createIncident(page());
        return run.created === undefined ? 'Inspector asks to authorize incidents:write (403 insufficient_scope)' : `no step-up needed: ${run.created}`;
      },
    },
    {
      name: 'step-up → sign-in page',
      shot: '08-step-up-sign-in',
      run: async () => {
        if (run.created !== undefined) return 'skipped (the token already had incidents:write)';
        await ui.authorizeStepUp(page(), server().issuer);
        const scopes = await ui.requestedScopes(page());
        check(scopes.includes('incidents:write'), `the sign-in page asks for ${scopes.join(' ')}`);
        return `scopes asked: ${scopes.join(' ')}`;
      },
    },
    {
      name: 'create_incident called',
      shot: '09-incident-created',
      run: async () => {
        if (run.created !== undefined) return run.created;
        await ui.approve(page(), USER, origin());
        await ui.openTab(page(), 'Tools');
        run.created = await createIncident(page());
        check(run.created !== undefined, 'the Inspector asked for a step-up again');
        return run.created as string;
      },
    },
    {
      name: 'resource incidents://1 read',
      shot: '10-resource',
      run: async () => {
        const shown = await ui.readFromTemplate(page(), 'Incident by id', '1', 'incidents://1');
        check(shown.includes(server().firstTitle) && /"id":\s*"1"/.test(shown), `the resource panel shows: ${oneLine(shown).slice(0, 300)}`);
        return `incident 1: "${server().firstTitle}"`;
      },
    },
    {
      name: 'prompt triage_incidents got',
      shot: '11-prompt',
      run: async () => {
        const shown = await ui.getPrompt(page(), 'Triage incidents', 'severity');
        check(shown.includes(INCIDENT.title), `the prompt does not list the new incident: ${oneLine(shown).slice(0, 300)}`);
        const heading = shown.split('\n').find((line) => /incidents, most severe first/.test(line)) ?? 'messages shown';
        return `${oneLine(heading).replace(/\. Each line .*/, '')}, the new one among them`;
      },
    },
  ];
}
