// Renders Adaptive Cards to PNG with Microsoft's official JS renderer, styled as Teams (light).
//
//   node tools/render/render.mjs <in_dir> <out_dir>
//
// Each <in_dir>/<name>.json becomes <out_dir>/<name>.png. Every parse or validation message from
// the renderer goes to <out_dir>/report.json ({name: [messages]}); the exit code is 1 if any card
// has a message, 2 on usage or browser errors. Offline: all network requests are blocked.
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const HERE = dirname(fileURLToPath(import.meta.url));
const MODULES = join(HERE, 'node_modules');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Card column widths: a normal Teams chat card, and one with msteams.width "Full".
const WIDTH = 500;
const FULL_WIDTH = 760;

// The page: Teams chat background, a caption, and the card host. "Segoe UI" is not on Linux;
// Liberation Sans (Arial metrics) is the nearest stand-in.
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><style>
@font-face { font-family: 'Segoe UI'; font-weight: 100 500; src: local('Liberation Sans'); }
@font-face { font-family: 'Segoe UI'; font-weight: 600 900; src: local('Liberation Sans Bold'); }
html, body { margin: 0; background: #f5f5f5; font-family: 'Segoe UI', sans-serif; }
#shot { display: inline-block; padding: 12px 16px 16px; background: #f5f5f5; }
#caption { font-size: 12px; color: #616161; margin: 0 0 6px 2px; }
#card { background: #fff; border-radius: 6px; overflow: hidden;
        box-shadow: 0 1px 2px rgba(0, 0, 0, .14), 0 0 2px rgba(0, 0, 0, .12); }
</style></head><body><div id="shot"><div id="caption"></div><div id="card"></div></div></body></html>`;
// Loaded after the renderer's and the designer's CSS: Teams draws "positive" as its primary
// button, and the ShowCard chevron's icon font is not installed.
const TEAMS_OVERRIDES = `
.ac-pushButton.style-positive { background-color: #6264a7; border: 2px solid #6264a7; color: #fff; }
.ac-pushButton.style-destructive { background-color: #fff; border: 2px solid #bfc0da; color: #c4314b; }
.ac-pushButton.expandable:after {
  font-family: inherit; font-size: 12px; margin-left: 6px; content: "\\25BE";
}
.ac-pushButton.expandable.expanded:after { content: "\\25B4"; }
`;

// Runs inside the page: parse, validate and render one card; return the renderer's messages.
function renderInPage({ name, payload, hostConfig, width }) {
  const AC = window.AdaptiveCards;
  const md = window.markdownit();
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = md.render(text);
    result.didProcess = true;
  };
  const messages = [];
  const describe = (event) => {
    const source = event.source;
    const type = source && source.getJsonTypeName ? source.getJsonTypeName() : 'card';
    const id = source && source.id ? `#${source.id}` : '';
    return `${type}${id}: ${AC.ValidationEvent[event.event]}: ${event.message}`;
  };
  const host = document.getElementById('card');
  document.getElementById('caption').textContent = name;
  host.style.width = `${width}px`;
  host.replaceChildren();

  const probe = new AC.SerializationContext();
  const version = AC.Version.parse(payload.version, probe);
  if (!version || !version.isValid) {
    messages.push(`card: missing or invalid version ${JSON.stringify(payload.version)}`);
  }
  const context = new AC.SerializationContext(version);
  const card = new AC.AdaptiveCard();
  card.hostConfig = new AC.HostConfig(hostConfig);
  card.parse(payload, context);
  for (let i = 0; i < context.eventCount; i++) {
    messages.push(`parse: ${describe(context.getEventAt(i))}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    messages.push(`validate: ${describe(event)}`);
  }
  const element = card.render();
  if (element) host.appendChild(element);
  else messages.push('render: the renderer produced no element');
  return messages;
}

async function shoot(page, file) {
  await page.evaluate(() => document.fonts.ready);
  await page.locator('#shot').screenshot({ path: file });
}

// One extra picture per top-level Action.ShowCard, opened: <name>.show-<n>.png.
async function shootShowCards(page, name, outDir) {
  const buttons = page.locator('#card button.expandable');
  const count = await buttons.count();
  for (let i = 0; i < count; i++) {
    const button = buttons.nth(i);
    await button.click();
    const title = await button.innerText();
    await page.evaluate((text) => { document.getElementById('caption').textContent = text; },
      `${name}: ${title.trim()} (opened)`);
    await shoot(page, join(outDir, `${name}.show-${i + 1}.png`));
    await button.click();
    await page.mouse.move(0, 0); // no hover colour left on the next picture
  }
}

function cardFiles(inDir) {
  return readdirSync(inDir).filter((f) => f.endsWith('.json') && f !== 'report.json').sort();
}

async function main() {
  const [inDir, outDir] = process.argv.slice(2);
  if (!inDir || !outDir) {
    console.error('usage: node tools/render/render.mjs <in_dir_of_card_json> <out_dir>');
    return 2;
  }
  mkdirSync(outDir, { recursive: true });
  const hostConfig = JSON.parse(readFileSync(join(HERE, 'microsoft-teams-light.json'), 'utf8'));
  const profile = mkdtempSync(join(tmpdir(), 'card-render-'));
  const report = {};
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: FULL_WIDTH + 64, height: 800 },
      deviceScaleFactor: 2,
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    // Nothing leaves the machine: images and links on cards stay unloaded.
    await context.route('**/*', (route) => route.abort());
    const page = context.pages()[0] ?? (await context.newPage());
    await page.setContent(PAGE);
    await page.addStyleTag({ path: join(MODULES, 'adaptivecards/dist/adaptivecards.css') });
    await page.addStyleTag({ path: join(HERE, 'teams-container-light.css') });
    await page.addStyleTag({ content: TEAMS_OVERRIDES });
    await page.addScriptTag({ path: join(MODULES, 'adaptivecards/dist/adaptivecards.min.js') });
    const markdownIt = join(MODULES, 'markdown-it/dist/browser/markdown-it.umd.min.js');
    await page.addScriptTag({ path: markdownIt });
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));

    for (const file of cardFiles(inDir)) {
      const name = basename(file, '.json');
      pageErrors.length = 0;
      let messages;
      try {
        const payload = JSON.parse(readFileSync(join(inDir, file), 'utf8'));
        const full = String(payload?.msteams?.width ?? '').toLowerCase() === 'full';
        const width = full ? FULL_WIDTH : WIDTH;
        messages = await page.evaluate(renderInPage, { name, payload, hostConfig, width });
        await shoot(page, join(outDir, `${name}.png`));
        await shootShowCards(page, name, outDir);
      } catch (error) {
        messages = [`error: ${error.message.split('\n')[0]}`];
      }
      report[name] = [...messages, ...pageErrors];
      console.log(`${report[name].length ? 'FAIL' : 'ok  '} ${name}`);
      for (const message of report[name]) console.log(`     ${message}`);
    }
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
  writeFileSync(join(outDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const failed = Object.values(report).filter((messages) => messages.length).length;
  const total = Object.keys(report).length;
  console.log(`${total} card(s) rendered to ${resolve(outDir)}; ${failed} with messages`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
