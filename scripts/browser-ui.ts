/**
 * What a person does in MCP Inspector 2.x's web UI (and on the development issuer's sign-in page),
 * one function per action, for `npm run test:browser`. Elements are found by their role and
 * visible label, as a person finds them; each function waits for the page to show the outcome
 * and throws, saying what was missing, when it does not.
 */
import type { Locator, Page } from 'playwright-core';

/** The server card with the given Server ID on the Servers tab. */
const serverCard = (page: Page, id: string): Locator =>
  page.locator('.mantine-Card-root').filter({ has: page.getByText(id, { exact: true }) });

/** A Mantine Select: it deselects when the chosen option is clicked again, so only pick a new value. */
async function pick(page: Page, field: Locator, value: string): Promise<void> {
  if ((await field.inputValue()) === value) return;
  await field.click();
  await page.getByRole('option', { name: value, exact: true }).click();
  const chosen = await field.inputValue();
  if (chosen !== value) throw new Error(`the select shows "${chosen}" instead of "${value}"`);
}

/** Opens the Inspector at its printed address and waits for its server list. */
export async function openInspector(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByRole('button', { name: 'Add Servers' }).waitFor();
}

/** Add Servers → + Add manually: a Server ID, transport streamable-http, the URL, Add. */
export async function addServer(page: Page, id: string, url: string): Promise<void> {
  await page.getByRole('button', { name: 'Add Servers' }).click();
  await page.getByRole('menuitem', { name: '+ Add manually' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add server' });
  await dialog.getByLabel('Server ID').fill(id);
  await pick(page, dialog.getByLabel('Transport'), 'streamable-http');
  await dialog.getByLabel('URL').fill(url);
  await dialog.getByRole('button', { name: 'Add', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await serverCard(page, id).getByText(url).waitFor();
}

/**
 * The card's Settings → OAuth Settings → Client ID; returns the Redirect URI the dialog says to
 * register. The dialog stays open on the screen until `closeSettings`.
 */
export async function setClientId(page: Page, id: string, clientId: string): Promise<string> {
  await serverCard(page, id).getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Server Settings' });
  await dialog.getByRole('button', { name: 'OAuth Settings' }).click();
  const field = dialog.getByRole('textbox', { name: 'Client ID', exact: true });
  await field.fill(clientId);
  const redirect = dialog.getByRole('textbox', { name: 'Redirect URI' });
  // Client ID, Client Secret and Redirect URI on screen together, for the screenshot.
  await dialog.getByRole('textbox', { name: 'Scopes' }).scrollIntoViewIfNeeded();
  return redirect.inputValue();
}

/** Closes the settings dialog with its close button; the Inspector keeps what was typed. */
export async function closeSettings(page: Page): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Server Settings' });
  await dialog.getByRole('button', { name: /close/i }).first().click();
  await dialog.waitFor({ state: 'hidden' });
}

/** Flips the card's switch and waits for the browser to land on the authorization endpoint. */
export async function connectToSignIn(page: Page, id: string, issuer: string): Promise<URL> {
  await serverCard(page, id).getByRole('switch').click({ force: true });
  await page.waitForURL((url) => url.href.startsWith(`${issuer}/v1/authorize`));
  await page.getByRole('heading', { name: 'Sign in' }).or(page.getByRole('heading', { name: 'Sign-in error' })).waitFor();
  const problem = page.getByRole('heading', { name: 'Sign-in error' });
  if (await problem.isVisible()) throw new Error(`the issuer refused the request: ${(await page.locator('main').innerText()).replace(/\s+/g, ' ').trim()}`);
  return new URL(page.url());
}

/** The scopes the sign-in page says the application asks for. */
export async function requestedScopes(page: Page): Promise<string[]> {
  return page.locator('main ul li code').allInnerTexts();
}

/** On the sign-in page: picks the user, Allow, and waits to be back on the Inspector. */
export async function approve(page: Page, login: string, inspectorOrigin: string): Promise<void> {
  await page.getByRole('radio', { name: new RegExp(`<${login.replace(/[.]/g, '\\.')}>`) }).check();
  await page.getByRole('button', { name: 'Allow' }).click();
  await page.waitForURL((url) => url.origin === inspectorOrigin);
}

/** Waits for the card to say Connected (the Servers tab is shown after the OAuth callback). */
export async function waitConnected(page: Page, id: string): Promise<void> {
  const card = serverCard(page, id);
  await card.getByText('Connected', { exact: true }).or(card.getByText('Failed', { exact: true })).waitFor();
  if (await card.getByText('Failed', { exact: true }).isVisible()) throw new Error('the server card says Failed');
}

/** One of the top tabs: Servers, Tools, Prompts, Resources. */
export async function openTab(page: Page, name: 'Servers' | 'Tools' | 'Prompts' | 'Resources'): Promise<void> {
  await page.locator('.mantine-SegmentedControl-root').first().getByText(name, { exact: true }).click();
}

/** Waits for the Tools tab to list every expected tool; returns its heading ("Tools (3)"). */
export async function listedTools(page: Page, expected: readonly string[]): Promise<string> {
  const heading = page.getByText(/^Tools \(\d+\)$/);
  await heading.waitFor();
  for (const name of expected) await page.getByText(name, { exact: true }).first().waitFor();
  return heading.innerText();
}

/** The innermost card or panel that holds `inner`. */
const panelOf = (page: Page, inner: Locator): Locator => page.locator('.mantine-Card-root, .mantine-Paper-root').filter({ has: inner }).last();

export interface IncidentForm {
  readonly title: string;
  readonly severity: string;
  readonly status: string;
  readonly description: string;
}

/** Selects create_incident (unless its form is already shown) and fills the form. */
export async function fillCreateIncident(page: Page, form: IncidentForm): Promise<void> {
  const close = page.getByRole('button', { name: 'Close results' });
  if (await close.isVisible()) await close.click();
  const execute = page.getByRole('button', { name: 'Execute Tool' });
  if (!(await execute.isVisible())) await page.getByRole('button').filter({ hasText: 'create_incident' }).click();
  await page.getByRole('textbox', { name: 'title' }).fill(form.title);
  await pick(page, page.getByRole('textbox', { name: 'severity' }), form.severity);
  await pick(page, page.getByRole('textbox', { name: 'status' }), form.status);
  await page.getByRole('textbox', { name: 'description' }).fill(form.description);
}

/** Execute Tool: the result text, or 'step-up' when the Inspector asks for more scope first. */
export async function executeTool(page: Page): Promise<{ stepUp: string[] } | { result: string }> {
  await page.getByRole('button', { name: 'Execute Tool' }).click();
  const stepUp = page.getByRole('dialog', { name: 'Additional permissions required' });
  const results = page.getByRole('button', { name: 'Close results' });
  await stepUp.or(results).waitFor();
  if (await stepUp.isVisible()) return { stepUp: (await stepUp.innerText()).split('\n').filter((line) => /^[\w:]+$/.test(line.trim())) };
  return { result: await panelOf(page, results).innerText() };
}

/** In the step-up dialog: Authorize, and wait for the sign-in page. */
export async function authorizeStepUp(page: Page, issuer: string): Promise<URL> {
  await page.getByRole('dialog', { name: 'Additional permissions required' }).getByRole('button', { name: 'Authorize' }).click();
  await page.waitForURL((url) => url.href.startsWith(`${issuer}/v1/authorize`));
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  return new URL(page.url());
}

/** Resources → the template with the given name → its variable → Read Resource; the shown text. */
export async function readFromTemplate(page: Page, template: string, value: string, uri: string): Promise<string> {
  await openTab(page, 'Resources');
  await page.getByText(template, { exact: true }).click();
  await page.getByPlaceholder(/^Enter /).fill(value);
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Read Resource' }).click();
  const panel = panelOf(page, page.getByRole('button', { name: 'Subscribe' }));
  await panel.getByText(uri, { exact: true }).waitFor();
  return panel.innerText();
}

/** Prompts → the prompt → its argument → Get Prompt; the messages shown. */
export async function getPrompt(page: Page, title: string, value: string): Promise<string> {
  await openTab(page, 'Prompts');
  await page.getByText(title, { exact: true }).first().click();
  await page.getByPlaceholder(/^Enter /).fill(value);
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Get Prompt' }).click();
  const role = page.getByText(/^\[0\] role: /);
  await role.waitFor();
  return panelOf(page, role).innerText();
}
