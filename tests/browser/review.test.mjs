// review.test.mjs - the review page in a real browser: Debian's chromium,
// driven by puppeteer-core, on the page `rakiza review` serves from the
// embedded broker (tests/it_review.sh starts both and checks the samples
// this script publishes). Checks the queue order, right-to-left Arabic,
// labelling with the number keys and with the mouse, the counts, that a
// POST without the CSRF token is refused, that a hostile document cannot
// inject markup or script, that a record without text cannot be labelled,
// and that new records and withdrawn labels show on reload.
//
// Environment: REVIEW_URL (the page), RECORDS (the JSON Lines produced to
// the output topic), BROKER, OUT_TOPIC, LABELS_TOPIC, HOSTILE_ID, NO_TEXT_ID,
// ANNOTATOR, EXPECT_OUT (where the expected samples are written for the
// shell to compare with the labels topic), CHROMIUM (default
// /usr/bin/chromium), PROFILE (a fresh user data directory), SCREENSHOT
// (optional: a PNG of the page after labelling, 1280x900).
// Prints one line per failed check and "review.test: N passed, N failed".
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import puppeteer from 'puppeteer-core';

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} must be set`);
  return process.env[k];
};
const base = env('REVIEW_URL').replace(/\/$/, '');
const origin = new URL(base).origin;
let passed = 0;
let failed = 0;
function check(what, ok, detail) {
  if (ok) passed++;
  else {
    failed++;
    console.error(`FAIL: ${what}${detail === undefined ? '' : ': ' + JSON.stringify(detail)}`);
  }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The records as produced, the latest per paragraph, and the queue order
// the server must follow: abstained first, then the top score ascending,
// ties by document id (bytes) and index.
const records = new Map();
for (const line of readFileSync(env('RECORDS'), 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  if (r.type === 'paragraph') records.set(`${r.doc_id}:${r.index}`, r);
}
const top = (r) => Math.max(...Object.values(r.scores));
function queueOrder(labelled) {
  return [...records.entries()]
    .filter(([k]) => !labelled.has(k))
    .sort(([, a], [, b]) =>
      (a.label === null ? 0 : 1) - (b.label === null ? 0 : 1) ||
      top(a) - top(b) ||
      Buffer.compare(Buffer.from(a.doc_id), Buffer.from(b.doc_id)) ||
      a.index - b.index)
    .map(([k]) => k);
}

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  userDataDir: env('PROFILE'),
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const expected = []; // the samples this script publishes
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const dialogs = [];
  const pageErrors = [];
  const cspErrors = [];
  const foreign = [];
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Refused|Content Security Policy|TrustedHTML|Trusted Type/i.test(m.text())) cspErrors.push(m.text());
  });
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== origin) foreign.push(r.url());
  });

  const keysOnPage = () => page.$$eval('article.item', (as) => as.map((a) => a.dataset.key));
  async function open(path) {
    await page.goto(base + path, { waitUntil: 'networkidle0' });
    await page.waitForFunction(() => document.querySelector('article.item, p.empty'), { timeout: 10000 });
  }
  // Waits until the article for key is gone (labelled) or fails.
  async function gone(key) {
    try {
      await page.waitForFunction((k) => ![...document.querySelectorAll('article.item')].some((a) => a.dataset.key === k),
        { timeout: 15000 }, key);
      return true;
    } catch {
      return false;
    }
  }
  function expect(key, label) {
    const r = records.get(key);
    expected.push({ key, label, doc_id: r.doc_id, index: r.index, lang: r.lang, text: r.text,
      predicted: r.label, model: r.model.id });
  }

  // ---- the queue, least certain first -----------------------------------
  await open('/');
  let keys = await keysOnPage();
  const want = queueOrder(new Set()).slice(0, keys.length);
  check('the page shows 50 paragraphs', keys.length === 50, keys.length);
  check('in queue order: abstained first, then the lowest top score', JSON.stringify(keys) === JSON.stringify(want),
    { got: keys.slice(0, 5), want: want.slice(0, 5) });
  const tops = await page.$$eval('article.item', (as) => as.map((a) => [a.dataset.label, Number(a.dataset.top)]));
  check('every abstained paragraph comes before every labelled one',
    tops.every(([l], i) => i === 0 || !(l === '' && tops[i - 1][0] !== '')));
  const summary = await page.$eval('#summary', (e) => e.textContent);
  check('the summary counts what waits and names the annotator',
    summary.includes(`${records.size} paragraphs waiting`) && summary.includes(env('ANNOTATOR')), summary);
  const labels = await page.$$eval('article.item.current button.choose', (bs) => bs.map((b) => b.dataset.label));
  check('the buttons are the model\'s labels in pillar order',
    JSON.stringify(labels) === JSON.stringify(['conditions', 'prevention', 'capacity', 'human_rights', 'none']), labels);

  // ---- right to left, terms, context -------------------------------------
  const dirs = await page.$$eval('article.item p.text', (ps) => ps.map((p) => [p.lang, getComputedStyle(p).direction]));
  check('Arabic paragraphs render right to left', dirs.some(([l]) => l === 'ar') &&
    dirs.filter(([l]) => l === 'ar').every(([, d]) => d === 'rtl'), dirs.slice(0, 5));
  check('English paragraphs render left to right',
    dirs.filter(([l]) => l === 'en').every(([, d]) => d === 'ltr'));
  const marks = await page.$$eval('article.item p.text mark.term', (ms) => ms.length);
  check('explanation terms are highlighted in the text', marks > 0, marks);
  const first = records.get(keys[0]);
  const ctx = await page.$eval('article.item', (a) => ({
    text: a.querySelector('p.text').textContent,
    prev: a.querySelector('.context.prev .ctx-text')?.textContent ?? null,
    next: a.querySelector('.context.next .ctx-text')?.textContent ?? null,
  }));
  const neighbour = (i) => records.get(`${first.doc_id}:${i}`)?.text ?? null;
  check('the paragraph\'s text is shown whole', ctx.text === first.text);
  check('with the previous and next paragraphs of its document as context',
    (ctx.prev === null) === (neighbour(first.index - 1) === null) &&
    (ctx.next === null) === (neighbour(first.index + 1) === null) &&
    (ctx.prev === null || neighbour(first.index - 1).startsWith(ctx.prev.replace(/…$/, ''))) &&
    (ctx.next === null || neighbour(first.index + 1).startsWith(ctx.next.replace(/…$/, ''))), ctx);

  // ---- labelling with the keyboard ---------------------------------------
  await page.keyboard.press('1');
  check('key 1 labels the highlighted paragraph with the first label', await gone(keys[0]), keys[0]);
  expect(keys[0], labels[0]);
  keys = await keysOnPage();
  check('and the next one is highlighted', await page.$eval('article.item.current', (a) => a.dataset.key) === keys[0]);
  await page.keyboard.press('j');
  check('j moves to the next paragraph', await page.$eval('article.item.current', (a) => a.dataset.key) === keys[1]);
  await page.keyboard.press('ArrowUp');
  check('the up arrow moves back', await page.$eval('article.item.current', (a) => a.dataset.key) === keys[0]);
  await page.keyboard.press('3');
  check('key 3 labels it with the third label', await gone(keys[0]), keys[0]);
  expect(keys[0], labels[2]);

  // ---- labelling with the mouse ------------------------------------------
  keys = await keysOnPage();
  const target = keys[2];
  await page.click(`article.item:nth-of-type(3) button.choose[data-label="${labels[3]}"]`);
  check('clicking a button labels that paragraph', await gone(target), target);
  expect(target, labels[3]);
  await page.waitForFunction(() => /3 paragraphs labelled/.test(document.querySelector('#stats .total')?.textContent || ''),
    { timeout: 5000 }).catch(() => {});
  const stats = await page.$eval('#stats', (s) => ({
    total: s.querySelector('.total').textContent,
    who: [...s.querySelectorAll('.by-annotator tr')].map((tr) => tr.textContent),
    labels: [...s.querySelectorAll('.by-label tr')].map((tr) => tr.textContent),
  }));
  check('the counts show what was labelled, by whom and how', stats.total.startsWith('3 paragraphs labelled') &&
    stats.who.length === 1 && stats.who[0] === env('ANNOTATOR') + '3' && stats.labels.length === 3, stats);
  if (process.env.SCREENSHOT) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: process.env.SCREENSHOT });
  }

  // ---- the CSRF token is required ------------------------------------------
  const noToken = await page.evaluate(async (k) => {
    const [doc, index] = [k.slice(0, k.lastIndexOf(':')), Number(k.slice(k.lastIndexOf(':') + 1))];
    const body = JSON.stringify({ doc_id: doc, index, label: 'none' });
    const a = await fetch('/label', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const b = await fetch('/label', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': '0'.repeat(32) }, body });
    return [a.status, b.status];
  }, keys[0]);
  check('a POST without the CSRF token, or with a wrong one, is refused (403)', noToken[0] === 403 && noToken[1] === 403, noToken);

  // ---- a hostile document ------------------------------------------------
  const hostile = env('HOSTILE_ID');
  await open('/?doc=' + encodeURIComponent(hostile));
  const dom = await page.evaluate(() => ({
    scripts: [...document.scripts].map((s) => s.getAttribute('src')),
    injected: document.querySelectorAll('img, iframe, svg, b, #injected, #injected-id, script:not([src="/review.js"])').length,
    docs: [...document.querySelectorAll('article.item .doc')].map((d) => d.textContent),
    texts: [...document.querySelectorAll('article.item p.text')].map((p) => p.textContent),
    selected: document.querySelector('#f-doc').value,
    option: [...document.querySelectorAll('#f-doc option')].some((o) => o.textContent.startsWith(document.querySelector('#f-doc').value)),
  }));
  const hostileTexts = [...records.values()].filter((r) => r.doc_id === hostile).map((r) => r.text);
  check('the document filter selects the hostile document', dom.selected === hostile && dom.option, dom.selected);
  check('only the page\'s own script is in the DOM', JSON.stringify(dom.scripts) === '["/review.js"]', dom.scripts);
  check('no element was injected (img, iframe, svg, b, ids from the input)', dom.injected === 0, dom.injected);
  check('the hostile id shows as text', dom.docs.length === hostileTexts.length && dom.docs.every((d) => d === hostile), dom.docs);
  check('the hostile text shows as text, whole', JSON.stringify([...dom.texts].sort()) === JSON.stringify([...hostileTexts].sort()), dom.texts);
  await page.click('article.item.current button.choose[data-label="none"]');
  await page.waitForFunction(() => /labelled none/.test(document.querySelector('#status').textContent),
    { timeout: 15000 }).catch(() => {});
  const hkey = await page.evaluate(() => document.querySelector('#status').textContent);
  check('a hostile paragraph can be labelled like any other', /labelled none/.test(hkey), hkey);
  const hostileKey = [...records.entries()].find(([, r]) => r.doc_id === hostile && r.text === dom.texts[0])[0];
  expect(hostileKey, 'none');
  await sleep(300);
  check('no alert or other dialog fired', dialogs.length === 0, dialogs);

  // ---- a record without text ---------------------------------------------
  await open('/?doc=' + encodeURIComponent(env('NO_TEXT_ID')));
  const nt = await page.evaluate(() => ({
    n: document.querySelectorAll('article.item').length,
    why: document.querySelector('article.item .why')?.textContent || '',
    buttons: document.querySelectorAll('article.item button.choose').length,
  }));
  check('a record without text is listed, says why it cannot be labelled, and has no buttons',
    nt.n === 1 && /no text/.test(nt.why) && nt.buttons === 0, nt);
  await page.keyboard.press('1');
  await page.waitForFunction(() => /cannot be labelled/.test(document.querySelector('#status').textContent),
    { timeout: 5000 }).catch(() => {});
  const said = await page.$eval('#status', (s) => s.textContent);
  check('and the number keys do not label it', /cannot be labelled/.test(said), said);

  // ---- new records and withdrawn labels show on reload --------------------
  const late = { type: 'paragraph', doc_id: 'late-doc', index: 0, count: 1, kind: 'paragraph', lang: 'en', label: null,
    labels: [], scores: { conditions: 0.2, prevention: 0.2, capacity: 0.2, human_rights: 0.2, none: 0.2 },
    text: 'A paragraph produced while the page was open.', model: { id: 'late-model', created: '2026-01-01T00:00:00Z' } };
  execFileSync('kcat', ['-b', env('BROKER'), '-P', '-t', env('OUT_TOPIC'), '-k', 'late-doc'], { input: JSON.stringify(late) + '\n' });
  // a tombstone: the key, a tab, an empty value sent as NULL (-Z)
  execFileSync('kcat', ['-b', env('BROKER'), '-P', '-t', env('LABELS_TOPIC'), '-Z', '-K', '\t'],
    { input: expected[0].key + '\t\n' });
  let seen = [];
  for (let i = 0; i < 50; i++) {
    await open('/');
    seen = await keysOnPage();
    if (seen[0] === 'late-doc:0' && seen.includes(expected[0].key)) break;
    await sleep(300);
  }
  check('a record produced while serving shows on reload, in its place (first)', seen[0] === 'late-doc:0', seen.slice(0, 3));
  check('a tombstone on the labels topic brings its paragraph back', seen.includes(expected[0].key), expected[0].key);
  check('labelled paragraphs stay hidden after a reload',
    expected.slice(1).every((s) => !seen.includes(s.key)));

  check('no request left this server (no CDN, no external resource)', foreign.length === 0, foreign);
  check('no script error on the page', pageErrors.length === 0, pageErrors);
  check('no Content-Security-Policy or Trusted Types violation', cspErrors.length === 0, cspErrors);
} catch (e) {
  check('the browser session ran to the end', false, String(e && e.stack || e));
} finally {
  await browser.close();
}
writeFileSync(env('EXPECT_OUT'), JSON.stringify(expected, null, 1));
console.log(`review.test: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
