import { cloudEventHeaders, PayoutExecuted, PayoutRequested, Topics } from '@earnings/contracts';
import { WILDFIRE_FIXTURE_CALLBACK_KEY, workspaceRoot } from '@earnings/testing';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { freePort } from '../local-stack/kafka-broker';
import { ServiceProcess, startServiceProcess, waitUntilReady } from '../local-stack/processes';
import { commission, produceCommissions, publishPayoutPolicy } from './payout-scenario';
import { Client } from 'pg';
import {
  createSuiteDatabase, eventually, hs256Token, produceEvents, requireTestInfrastructure, restartApp, RunningApps, signedWildfireCallback, startApps, SuiteDatabase, uniqueSuffix,
  waitForProjectorToCatchUp,
} from './test-stack';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core, never a downloaded
 * build) against the real stack: ingest, projector and query on the test broker and database, the
 * dashboard's server in front, ingest's merchant directory filled from the partner simulator's
 * merchant API. It signs in through the development sign-in, checks the figures the fixture
 * implies and the stores' names, pages, opens a history, watches a signed callback and a payout in flight
 * arrive live, and takes the screenshots the README shows: into the run's scratch folder, or into
 * docs/ with UPDATE_DOCS_SCREENSHOTS=1, so a test run leaves the checkout as it found it.
 */
const chromiumPath = '/usr/bin/chromium';
const jwtSecret = 'dashboard-e2e-jwt-secret-of-at-least-32-chars';
const waitMs = 30_000;

const screenshotPath = (name: string): string =>
  join(process.env.UPDATE_DOCS_SCREENSHOTS === '1' ? join(workspaceRoot(), 'docs') : (process.env.TEST_SCRATCH_DIR ?? tmpdir()), name);

describe('the earnings dashboard in a browser', () => {
  let database: SuiteDatabase;
  let apps: RunningApps;
  let dashboard: ServiceProcess;
  let dashboardDown: ServiceProcess;
  let browser: Browser;
  const suffix = uniqueSuffix();
  const userA = `dash-${suffix}-a`;
  const userB = `dash-${suffix}-b`;
  // Paid by the payout service (its AUI prefix is this user's alone), to see the page after a real run.
  const userW = `dash-${suffix}-w`;
  const payoutAdminToken = 'dashboard-e2e-payout-admin-token-0123';
  const projectorGroup = `dashboard-${suffix}`;
  const commissionId = (n: number) => `dash-${suffix}-${n}`;
  const day = (date: string, hour = '12') => `${date}T${hour}:00:00.000000Z`;

  // The stores, as the simulator's merchant API names them; one merchant id no directory knows.
  let stores: { merchantId: number; name: string; disabled: boolean }[] = [];
  const unknownMerchantId = '424242';
  const storeOf = (n: number) => (n === 12 ? unknownMerchantId : String(stores[n % stores.length].merchantId));

  // The fixture: 13 commissions (one rejected, one a partial return on order 1003, whose purchase changed amount once), one payout of 5.
  // Payable 5.25 + 3.10 + 6 x 1 = 14.35; waiting 2.40005 - 0.6 + 1.5 + 0.85 = 4.15005; lifetime 18.50005; available 14.35 - 5 = 9.35.
  const fixture = () => {
    const of = (n: number, amount: string, state: 'PENDING' | 'CONFIRMED' | 'READY' | 'PAYABLE' | 'REJECTED', date: string, order = `10${String(n).padStart(2, '0')}`) => ({
      ...commission({ aui: userA, commissionId: commissionId(n), amount, state, eventDate: day(date, '10'), modifiedDate: day(date) }),
      merchantId: storeOf(n === 7 ? 3 : n),
      merchantOrderId: `ord-${suffix}-${order}`,
      sourceStatus: ({ PENDING: 'pending', CONFIRMED: 'confirmed', READY: 'ready', PAYABLE: 'paid', REJECTED: 'disqualified' } as const)[state],
    });
    return [
      of(1, '5.25', 'PAYABLE', '2026-09-01'),
      of(2, '3.10', 'PAYABLE', '2026-09-15'),
      of(3, '2.5', 'PENDING', '2026-11-10'),
      { ...of(3, '2.40005', 'PENDING', '2026-11-10'), modifiedDate: day('2026-11-11'), observationId: `wildfire:${commissionId(3)}:v2`, lockingDate: day('2026-12-15', '00') },
      of(4, '1.5', 'CONFIRMED', '2026-10-20'),
      of(5, '0.85', 'READY', '2026-10-01'),
      of(6, '4', 'REJECTED', '2026-08-20'),
      of(7, '-0.6', 'PENDING', '2026-11-12', '1003'),
      ...[8, 9, 10, 11, 12, 13].map((n) => of(n, '1.00', 'PAYABLE', `2026-08-${String(n).padStart(2, '0')}`)),
      // A reward unit beside the money: its own cards, threshold and transactions.
      { ...of(14, '150', 'PAYABLE', '2026-10-10'), unit: 'credits', applicationAmount: '150' },
    ];
  };

  const startDashboard = async (queryUrl: string, devSignIn: boolean): Promise<ServiceProcess> => {
    const port = await freePort();
    const env: Record<string, string> = {
      DASHBOARD_PORT: String(port), DASHBOARD_QUERY_URL: queryUrl, NODE_ENV: devSignIn ? 'development' : 'production', DASHBOARD_DEV_USERS: userA,
      // The simulator serves the stores' logos, as Wildfire's image host does: the page may load images from it.
      DASHBOARD_IMAGE_SOURCES: `https://images.wildlink.me,${apps.url('partner-simulator', '')}`,
    };
    if (devSignIn) Object.assign(env, { DASHBOARD_DEV_SIGN_IN: 'true', DASHBOARD_DEV_JWT_SECRET: jwtSecret });
    const service = startServiceProcess({ workspaceRoot: workspaceRoot(), name: 'dashboard', port, env, logFile: join(apps.logDirectory, `dashboard-${port}.log`) });
    await waitUntilReady(service, '/health');
    return service;
  };

  beforeAll(async () => {
    const { brokers } = requireTestInfrastructure();
    database = await createSuiteDatabase('dashboard');
    // The payout policy the page shows, as the payout service publishes it.
    await publishPayoutPolicy(database.url, 'USD:10,credits:100', '0 2 * * *');
    const env = {
      KAFKA_BROKERS: brokers, DATABASE_URL: database.url, QUERY_JWT_SECRET: jwtSecret, WILDFIRE_CALLBACK_KEYS: WILDFIRE_FIXTURE_CALLBACK_KEY,
      PROJECTOR_CONSUMER_GROUP: projectorGroup, LOG_LEVEL: 'warn',
      SIMULATOR_SEED: `dashboard-${suffix}`, SIMULATOR_USERS: '5', SIMULATOR_COMMISSIONS: '20', SIMULATOR_API_INTERVAL_MS_MIN: '100',
    };
    apps = await startApps(['partner-simulator', 'ledger-projector', 'query'], env);
    // Ingest reads the simulator's merchant list at start (no commission sync: the fixture is the whole account).
    await restartApp(apps, 'ingest', {
      ...env, WILDFIRE_API_BASE_URL: apps.url('partner-simulator', ''), WILDFIRE_APP_ID: 'dev-app-id', WILDFIRE_APP_SECRET: 'dev-app-secret',
      WILDFIRE_DEVICE_TOKEN: 'dev-device-token', WILDFIRE_SENDER_TOKEN: 'dev-sender-token', WILDFIRE_SYNC_ON_START: 'false', WILDFIRE_API_REQUEST_INTERVAL_MS_MIN: '100',
    });
    await restartApp(apps, 'payout', {
      ...env, PAYOUT_AUI_PREFIX: userW, PAYOUT_CONSUMER_GROUP: `dashboard-${suffix}-payout`, PAYOUT_SESSION_TIMEOUT_MS: '6000', PAYOUT_ADMIN_TOKEN: payoutAdminToken,
      // The same policy as published above (a payout process publishes its own at start); runs come from the admin API.
      PAYOUT_THRESHOLDS: 'USD:10,credits:100', PAYOUT_RUN_CRON: '0 2 * * *', PAYOUT_DEFAULT_METHOD: 'account_credit', PAYOUT_WORK_INTERVAL_MS: '100',
      // Payouts above 50 wait for an operator (userW's are below it).
      PAYOUT_REVIEW: 'above:50',
    });
    stores = ((await (await fetch(apps.url('partner-simulator', '/_admin/merchants'))).json()) as typeof stores).filter((store) => !store.disabled);
    await eventually(() => directorySize(database.url), (size) => size >= stores.length, 60_000);
    await produceCommissions(fixture());
    await producePayout<PayoutExecuted>(Topics.payoutExecuted, {
      type: 'PayoutExecuted', schemaVersion: 1, payoutId: `dash-${suffix}-payout-1`, aui: userA, unit: 'USD', amount: '5', method: 'paypal',
      providerReference: null, coveredCommissions: [], executedAt: day('2026-10-05'),
    }, day('2026-10-05'));
    await waitForProjectorToCatchUp(database.url, projectorGroup);
    dashboard = await startDashboard(apps.url('query', ''), true);
    // A second dashboard whose query service is down: a closed port.
    dashboardDown = await startDashboard(`http://127.0.0.1:${await freePort()}`, false);
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox'] });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await dashboardDown?.stop();
    await dashboard?.stop();
    await apps?.stopAll();
    await database?.drop();
  });

  const newPage = async (width: number, height: number): Promise<Page> => {
    const context = await browser.newContext({ viewport: { width, height }, locale: 'en-US', timezoneId: 'UTC', deviceScaleFactor: width < 500 ? 2 : 1 });
    const page = await context.newPage();
    // What the page logged and threw, so a failure says what the browser saw.
    page.on('console', (message) => browserLog.push(`console.${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => browserLog.push(`page error: ${error.message}`));
    return page;
  };
  const browserLog: string[] = [];

  const signIn = async (page: Page, aui = userA): Promise<void> => {
    await page.goto(`${dashboard.baseUrl}/`);
    await page.getByLabel('User (AUI)').fill(aui);
    await page.getByRole('button', { name: 'Sign in' }).click();
    try {
      await page.getByTestId('card-available').waitFor({ timeout: waitMs });
    } catch (error) {
      throw new Error(`${(error as Error).message}\npage text: ${await page.locator('body').innerText()}\nbrowser log:\n${browserLog.slice(-20).join('\n')}`);
    }
  };

  const amountOf = (page: Page, testId: string) => page.getByTestId(testId).locator('[data-amount]').first().getAttribute('data-amount');

  it('signs in as a seeded user and shows the balances, payout progress and why money is pending, as the fixture implies', async () => {
    const page = await newPage(1280, 900);
    await signIn(page);
    expect({
      available: await amountOf(page, 'card-available'), pending: await amountOf(page, 'card-pending'), lifetime: await amountOf(page, 'card-lifetime'),
      paidOut: await amountOf(page, 'card-paidOut'), paidByNetwork: await amountOf(page, 'card-paidByNetwork'),
    }).toEqual({ available: '9.35', pending: '4.15005', lifetime: '18.50005', paidOut: '5', paidByNetwork: '0' });
    expect(await page.getByTestId('card-available').locator('.figure').textContent()).toBe('$9.35');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('93');
    expect(await page.getByTestId('payout-progress-text').textContent()).toMatch(/^\$0\.65 more and the next run pays you\.$/);
    // What waits, per state: the pending purchase and its partial return together (2.40005 - 0.6).
    expect(await page.getByTestId('waiting-PENDING').locator('[data-amount]').first().getAttribute('data-amount')).toBe('1.80005');
    expect(await page.getByTestId('waiting-PENDING').textContent()).toMatch(/return window/);
    // The source's locking date of the purchase (Dec 15) is later than the return's estimated window (Nov 12 + 30 days).
    expect(await page.getByTestId('waiting-PENDING').getByTestId('waiting-expected').textContent()).toBe('Expected to lock by Dec 15, 2026: after that, a return can no longer take it back.');
    expect(await page.getByTestId('chart-summary').textContent()).toMatch(/lifetime earnings went from \$\d+\.\d{2} to \$18\.50/);
    await page.context().close();
  });

  it('shows a statement whose running balance ends at the available balance, and downloads it as CSV', async () => {
    const page = await newPage(1280, 900);
    await signIn(page);
    const statement = page.getByRole('region', { name: 'Statement' });
    await statement.locator('tbody tr').first().waitFor({ timeout: waitMs });
    const balances = await statement.locator('tbody tr td:last-child [data-amount]').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-amount')));
    expect(balances.at(-1)).toBe(await amountOf(page, 'card-available'));
    // The seeded payout has no request step: it moves the balance when it was paid.
    expect(await statement.locator('tr[data-kind="PAYOUT_PAID"] td:nth-child(3) [data-amount]').getAttribute('data-amount')).toBe('-5');
    const [download] = await Promise.all([page.waitForEvent('download'), statement.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = await new Promise<string>((resolve, reject) => {
      void download.createReadStream().then((stream) => {
        let text = '';
        stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      }, reject);
    });
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe('at,kind,description,amount,balance,unit,reference');
    expect(rows).toHaveLength(balances.length + 1);
    expect(rows.at(-1)?.split(',').at(-3)).toBe(balances.at(-1));
    await page.context().close();
  });

  it('shows a reward unit on its own, in its own words', async () => {
    const page = await newPage(1280, 900);
    await signIn(page);
    const units = page.getByRole('group', { name: 'Currency or reward' });
    expect(await units.getByRole('button').allTextContents()).toEqual(['USD', 'credits']);
    await units.getByRole('button', { name: 'credits' }).click();
    await page.locator('[data-testid="card-available"] [data-amount="150"]').waitFor({ timeout: waitMs });
    expect(await page.getByTestId('card-available').locator('.figure').textContent()).toBe('150 credits');
    // The payout service reviews payouts above 50 of their unit (PAYOUT_REVIEW=above:50): 150 credits waits for it.
    expect(await page.getByTestId('payout-progress-text').textContent()).toMatch(/^You have reached the threshold: the next run on [A-Z][a-z]{2} \d{1,2}, \d{4} requests your payout, and it will be reviewed before it is sent to you\.$/);
    await page.getByTestId(`transaction-${commissionId(14)}`).waitFor({ timeout: waitMs });
    expect(await page.getByTestId('transactions').locator('[data-testid^="transaction-"]').count()).toBe(1);
    await page.context().close();
  });

  it('pages through transactions grouped by order, filters by state, and opens a commission history', async () => {
    const page = await newPage(1280, 900);
    await signIn(page);
    const rows = page.getByTestId('transactions').locator('[data-testid^="transaction-"]');
    await rows.nth(9).waitFor({ timeout: waitMs });
    expect(await rows.count()).toBe(10);
    await page.getByRole('button', { name: 'Show more' }).click();
    await rows.nth(12).waitFor({ timeout: waitMs });
    expect(await rows.count()).toBe(13);
    expect(await page.getByRole('button', { name: 'Show more' }).count()).toBe(0);
    // The return sits with its purchase, under one order.
    const order = page.locator('.order', { has: page.getByTestId(`transaction-${commissionId(7)}`) });
    expect(await order.locator('[data-testid^="transaction-"]').count()).toBe(2);
    // Each row names its store as the merchant directory does; one the directory does not know shows its id.
    const nameOf = async (n: number) => page.getByTestId(`transaction-${commissionId(n)}`).getByTestId('merchant-name').textContent();
    expect(await nameOf(1)).toBe(stores[1].name);
    expect(await nameOf(7)).toBe(stores[3].name);
    expect(await nameOf(12)).toBe(`Store ${unknownMerchantId}`);
    expect(await page.getByTestId(`transaction-${commissionId(7)}`).getAttribute('aria-label')).toMatch(new RegExp(`^Return at ${stores[3].name.replace(/[.&]/g, '\\$&')} of `));
    // The store's logo loads from the directory's image host (the page's CSP allows DASHBOARD_IMAGE_SOURCES), not the initial shown when it cannot.
    const logo = page.getByTestId(`transaction-${commissionId(1)}`).locator('img.merchant-logo');
    await logo.scrollIntoViewIfNeeded({ timeout: waitMs });
    expect(await logo.getAttribute('src')).toMatch(new RegExp(`^${apps.url('partner-simulator', '/wl-image/')}`));
    await eventually(() => logo.evaluate((image) => (image as unknown as { complete: boolean; naturalWidth: number }).naturalWidth), (width) => width > 0, waitMs);

    await page.getByRole('group', { name: 'Show transactions by status' }).getByRole('button', { name: 'Not eligible' }).click();
    await page.getByTestId(`transaction-${commissionId(1)}`).waitFor({ state: 'detached', timeout: waitMs });
    expect(await rows.count()).toBe(1);
    await page.getByRole('group', { name: 'Show transactions by status' }).getByRole('button', { name: 'All' }).click();

    await page.getByTestId(`transaction-${commissionId(3)}`).click();
    const history = page.getByTestId('commission-history');
    await history.locator('tbody tr').nth(1).waitFor({ timeout: waitMs });
    const versions = await history.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.querySelector('[data-amount]')?.getAttribute('data-amount')));
    expect(versions).toEqual(['2.5', '2.40005']);
    expect(await history.textContent()).toContain(`${stores[3].name} · Order ord-${suffix}-1003`);
    await page.screenshot({ path: screenshotPath('dashboard-history.png') });
    await page.keyboard.press('Escape');
    await history.waitFor({ state: 'hidden', timeout: waitMs });
    await page.context().close();
  });

  it('changes the cards without a reload after a signed callback, and shows a payout in flight', async () => {
    const page = await newPage(1280, 900);
    await signIn(page);
    await page.getByText('Live', { exact: true }).waitFor({ timeout: waitMs });
    await page.evaluate('window.stillTheSamePage = true');
    const rows = page.getByTestId('transactions').locator('[data-testid^="transaction-"]');
    await page.getByRole('button', { name: 'Show more' }).click();
    await rows.nth(12).waitFor({ timeout: waitMs });

    const callback = signedWildfireCallback({ id: 900_000_000 + Number.parseInt(suffix.slice(0, 6), 16), aui: userA, status: 'pending', amount: '7.77', eventDate: '2026-11-20T09:00:00Z', modifiedDate: '2026-11-20T09:00:00Z' });
    expect((await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: callback.headers, body: callback.body })).status).toBe(200);
    await page.locator('[data-testid="card-pending"] [data-amount="11.92005"]').waitFor({ timeout: waitMs });
    expect(await amountOf(page, 'card-lifetime')).toBe('26.27005');
    // The new purchase joins the list, and the rows paged to stay.
    await rows.nth(13).waitFor({ timeout: waitMs });
    expect(await rows.count()).toBe(14);

    await producePayout<PayoutRequested>(Topics.payoutLifecycle, {
      type: 'PayoutRequested', schemaVersion: 1, payoutId: `dash-${suffix}-payout-2`, aui: userA, unit: 'USD', amount: '2', method: 'paypal', requestedAt: new Date().toISOString(),
    }, new Date().toISOString());
    const inFlight = page.getByTestId(`payout-dash-${suffix}-payout-2`);
    await inFlight.waitFor({ timeout: waitMs });
    expect([await inFlight.getAttribute('data-state'), await inFlight.locator('.badge').textContent()]).toEqual(['requested', 'Requested']);
    await page.locator('[data-testid="card-available"] [data-amount="7.35"]').first().waitFor({ timeout: waitMs });
    expect(await page.evaluate('window.stillTheSamePage === true')).toBe(true);

    await page.screenshot({ path: screenshotPath('dashboard-desktop.png'), fullPage: true });
    await page.context().close();
  });

  it('after a run paid what was owed, promises no other payout and says what is withheld and why', async () => {
    // Paid 30 and an item-level return of -12 on the same order, not settled yet: the run pays 18.
    const id = 910_000_000 + Number.parseInt(suffix.slice(0, 6), 16);
    const order = `ord-${suffix}-w1`;
    for (const commission of [
      { id, aui: userW, status: 'paid', amount: '30', eventDate: '2026-11-02T09:00:00Z', modifiedDate: '2026-11-03T09:00:00Z', merchantOrderId: order },
      { id: id + 1, aui: userW, status: 'pending', amount: '-12', eventDate: '2026-11-05T09:00:00Z', modifiedDate: '2026-11-05T09:00:00Z', merchantOrderId: order },
    ]) {
      const callback = signedWildfireCallback(commission);
      expect((await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: callback.headers, body: callback.body })).status).toBe(200);
    }
    // The run decides once the payout service's view holds both (the ledger applied the return too).
    await eventually(
      () => rowsOf(database.url, `SELECT available::text, pending_reversals::text FROM payout_balance WHERE aui = $1 AND unit = 'USD'`, [userW]),
      (rows) => rows[0]?.available === '30' && rows[0]?.pending_reversals === '-12', waitMs,
    );
    const run = await fetch(apps.url('payout', '/admin/payout-runs'), { method: 'POST', headers: { authorization: `Bearer ${payoutAdminToken}` } });
    expect(run.status).toBe(201);
    await eventually(() => rowsOf(database.url, `SELECT paid_out::text FROM ledger.balance WHERE aui = $1 AND unit = 'USD'`, [userW]), (rows) => rows[0]?.paid_out === '18', waitMs);

    const page = await newPage(1280, 900);
    await signIn(page, userW);
    expect(await amountOf(page, 'card-available')).toBe('0');
    // The ledger's balance (where the statement ends) is 12: all of it withheld for the return.
    expect(await amountOf(page, 'card-balance')).toBe('12');
    expect(await page.getByTestId('withheld-PENDING_RETURN').textContent()).toBe(`$12.00 for a return on Store 123456 order ${order} that is not settled yet`);
    expect(await page.getByTestId('payout-progress-text').textContent()).toBe('$10.00 more and the next run pays you.');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('0');
    expect(await amountOf(page, 'card-paidOut')).toBe('18');
    await page.context().close();
  }, 120_000);

  it('shows a payout being reviewed, the security hold after a method change with its end time, and the statement', async () => {
    // Both paid by the payout service (their AUIs start with its prefix, userW): one above the review amount, one whose method changed.
    const userR = `${userW}-review`;
    const userH = `${userW}-hold`;
    const id = 920_000_000 + Number.parseInt(suffix.slice(0, 6), 16);
    for (const commission of [
      { id, aui: userR, status: 'paid', amount: '80', eventDate: '2026-11-02T09:00:00Z', modifiedDate: '2026-11-03T09:00:00Z', merchantOrderId: `ord-${suffix}-r1` },
      { id: id + 1, aui: userH, status: 'paid', amount: '20', eventDate: '2026-11-02T09:00:00Z', modifiedDate: '2026-11-03T09:00:00Z', merchantOrderId: `ord-${suffix}-h1` },
    ]) {
      const callback = signedWildfireCallback(commission);
      expect((await fetch(apps.url('ingest', '/callbacks/wildfire'), { method: 'POST', headers: callback.headers, body: callback.body })).status).toBe(200);
    }
    const admin = (method: string, path: string, body?: unknown) => fetch(apps.url('payout', path), {
      method, headers: { authorization: `Bearer ${payoutAdminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const setMethod = async (destination: string) =>
      ((await (await admin('PUT', `/admin/users/${userH}/payout-method`, { method: 'paypal', destination })).json()) as { securityHoldUntil: string | null }).securityHoldUntil;
    expect(await setMethod('first@example.test')).toBeNull();
    const holdUntil = await setMethod('changed@example.test');
    expect(holdUntil).not.toBeNull();
    await eventually(
      () => rowsOf(database.url, `SELECT aui FROM payout_balance WHERE aui = ANY($1::text[]) AND unit = 'USD' AND available > 0`, [[userR, userH]]),
      (rows) => rows.length === 2, waitMs,
    );
    // Before the run: the Next payout card says the payout above the review amount waits for the review.
    const before = await newPage(1280, 900);
    await signIn(before, userR);
    expect(await before.getByTestId('payout-progress-text').textContent()).toMatch(/^You have reached the threshold: the next run on .+ requests your payout, and it will be reviewed before it is sent to you\.$/);
    await before.context().close();
    expect((await admin('POST', '/admin/payout-runs')).status).toBe(201);
    await eventually(() => rowsOf(database.url, `SELECT reserved::text FROM ledger.balance WHERE aui = $1 AND unit = 'USD'`, [userR]), (rows) => rows[0]?.reserved === '80', waitMs);

    const page = await newPage(1280, 900);
    await signIn(page, userR);
    expect(await amountOf(page, 'card-available')).toBe('0');
    expect(await page.getByTestId('withheld-PAYOUT_IN_REVIEW').textContent()).toBe('$80.00 in a payout being reviewed before it is sent to you');
    // The statement: the commission, then the payout requested and held under review; its running balance ends at the ledger's 0.
    const statement = page.getByRole('region', { name: 'Statement' });
    await statement.locator('tr[data-kind="PAYOUT_REQUESTED"]').waitFor({ timeout: waitMs });
    expect(await statement.locator('tr[data-kind="COMMISSION"] td:nth-child(3) [data-amount]').getAttribute('data-amount')).toBe('80');
    expect(await statement.locator('tr[data-kind="PAYOUT_REQUESTED"] td:nth-child(3) [data-amount]').getAttribute('data-amount')).toBe('-80');
    const balances = await statement.locator('tbody tr td:last-child [data-amount]').evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-amount')));
    expect(balances.at(-1)).toBe('0');
    await page.context().close();

    const held = await newPage(1280, 900);
    await signIn(held, userH);
    const notice = held.getByTestId('security-hold');
    expect(await notice.textContent()).toContain('For your security, payouts are on hold until');
    expect(Date.parse((await held.getByTestId('security-hold-until').getAttribute('datetime'))!)).toBe(Date.parse(holdUntil!));
    expect(await held.getByTestId('security-hold-until').textContent()).toBe(
      new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'UTC' }).format(new Date(holdUntil!)),
    );
    expect(await amountOf(held, 'card-available')).toBe('20');
    expect(await held.getByTestId('payout-progress-text').textContent()).toBe('You have reached the threshold; your payouts are on a security hold until it ends.');
    await held.context().close();
  }, 120_000);

  it('works with the keyboard alone: skip link, filters, a row opens its history and Escape closes it', async () => {
    const page = await newPage(1280, 900);
    await signIn(page);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to your earnings');
    const row = page.getByTestId(`transaction-${commissionId(4)}`);
    await row.focus();
    await page.keyboard.press('Enter');
    const history = page.getByTestId('commission-history');
    await history.locator('tbody tr').first().waitFor({ timeout: waitMs });
    expect(await page.evaluate(`document.querySelector('[data-testid="commission-history"]').contains(document.activeElement)`)).toBe(true);
    await page.keyboard.press('Escape');
    await history.waitFor({ state: 'hidden', timeout: waitMs });
    const pendingFilter = page.getByRole('group', { name: 'Show transactions by status' }).getByRole('button', { name: 'Confirmed' });
    await pendingFilter.focus();
    await page.keyboard.press('Enter');
    expect(await pendingFilter.getAttribute('aria-pressed')).toBe('true');
    await page.getByTestId(`transaction-${commissionId(1)}`).waitFor({ state: 'detached', timeout: waitMs });
    expect(await page.getByTestId('transactions').locator('[data-testid^="transaction-"]').count()).toBe(1);
    await page.context().close();
  });

  it('is usable at phone width', async () => {
    const page = await newPage(390, 844);
    await signIn(page);
    await page.getByTestId('transactions').locator('[data-testid^="transaction-"]').first().waitFor({ timeout: waitMs });
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    await page.screenshot({ path: screenshotPath('dashboard-phone.png') });
    await page.context().close();
  });

  it("refuses a user's token for another user's data", async () => {
    const page = await newPage(1280, 900);
    await signIn(page);
    // From the page itself, with the token the sign-in gave it.
    const request = JSON.stringify({ query: 'query ($aui: ID!) { earnings(aui: $aui) { balances { available } } }', variables: { aui: userB } });
    const answer = (await page.evaluate(`(async () => {
      const token = sessionStorage.getItem('earnings-dashboard-token');
      const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token }, body: ${JSON.stringify(request)} });
      return { status: response.status, body: await response.json() };
    })()`)) as { status: number; body: { data: unknown; errors?: { extensions?: { code?: string } }[] } };
    expect([answer.status, answer.body.errors?.[0]?.extensions?.code, answer.body.data]).toEqual([403, 'FORBIDDEN', null]);
    await page.context().close();
  });

  it('sends an expired session back to sign-in with a message the user understands', async () => {
    const page = await newPage(1280, 900);
    const expired = hs256Token(jwtSecret, { sub: userA, exp: Math.floor(Date.now() / 1000) - 60 });
    const signInSaysSessionEnded = async () => {
      await page.getByLabel('User (AUI)').waitFor({ timeout: waitMs });
      expect(await page.getByRole('alert').textContent()).toBe('Your session has ended. Sign in again to see your earnings.');
    };
    await page.goto(`${dashboard.baseUrl}/#token=${expired}`);
    await signInSaysSessionEnded();
    // A token the page believes valid but the server refuses (another secret): the same screen.
    const forged = hs256Token('another-secret-that-is-at-least-32-characters', { sub: userA });
    await page.goto(`${dashboard.baseUrl}/#token=${forged}`);
    await signInSaysSessionEnded();
    await page.context().close();
  });

  it('says the service is unreachable when the query service is down, and has no development sign-in outside development', async () => {
    const page = await newPage(1280, 900);
    const token = hs256Token(jwtSecret, { sub: userA });
    await page.goto(`${dashboardDown.baseUrl}/#token=${token}`);
    const failure = page.getByTestId('failure');
    await failure.waitFor({ timeout: waitMs });
    expect(await failure.textContent()).toMatch(/can't reach the earnings service right now/);
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    const signIn = await fetch(`${dashboardDown.baseUrl}/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aui: userA }) });
    expect(signIn.status).toBe(403);
    await page.context().close();
  });
});

/** A payout event as the payout service announces it, on the ledger's input topic. */
async function producePayout<Event extends { payoutId: string; aui: string; type: string }>(topic: string, event: Event, time: string): Promise<void> {
  await produceEvents(topic, [{ key: event.aui, value: event, headers: cloudEventHeaders({ id: event.payoutId + event.type, type: event.type, source: 'dashboard-e2e', time }) }]);
}

/** Rows of one query on the suite's database. */
async function rowsOf(databaseUrl: string, text: string, parameters: unknown[]): Promise<Record<string, string>[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, parameters)).rows as Record<string, string>[];
  } finally {
    await client.end();
  }
}

/** Merchants the directory has described, through the view ingest publishes to readers. */
async function directorySize(databaseUrl: string): Promise<number> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) AS size FROM wildfire_merchant_directory')).rows[0].size);
  } finally {
    await client.end();
  }
}
