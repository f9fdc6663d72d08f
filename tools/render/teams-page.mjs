// A Chromium page that draws Adaptive Cards as Microsoft Teams does, in one of its three themes.
// Shared by render.mjs (pictures) and a11y.mjs (axe-core checks).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const MODULES = join(HERE, 'node_modules');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// Card column widths: a phone, a normal Teams chat card, and one with msteams.width "Full".
export const PHONE_WIDTH = 360;
export const WIDTH = 500;
export const FULL_WIDTH = 760;

// Loaded after the renderer's and the designer's CSS: Teams draws "positive" as its primary
// button and "destructive" in red (plain white in high contrast), and the ShowCard chevron's
// icon font is not installed.
const CHEVRON = `
.ac-pushButton.expandable:after {
  font-family: inherit; font-size: 12px; margin-left: 6px; content: "\\25BE";
}
.ac-pushButton.expandable.expanded:after { content: "\\25B4"; }
`;

// Each theme: the host config and container CSS (see README.md for where they come from), the
// chat background behind the card, and the button colours Teams uses in that theme. In dark and
// high contrast this also mends what the stand-in stylesheets get wrong and no card can change:
// adaptivecards.css greys out the other buttons while a ShowCard is open ("subdued", #666, made
// for a white page), and the designer's dark CSS keeps the light theme's link colour and puts
// black text on the open ShowCard button.
export const THEMES = {
  light: {
    hostConfig: 'microsoft-teams-light.json',
    css: 'teams-container-light.css',
    chat: '#f5f5f5', card: '#ffffff', caption: '#616161',
    buttons: `
.ac-pushButton.style-positive { background-color: #6264a7; border: 2px solid #6264a7; color: #fff; }
.ac-pushButton.style-destructive { background-color: #fff; border: 2px solid #bfc0da; color: #c4314b; }`,
  },
  dark: {
    hostConfig: 'microsoft-teams-dark.json',
    css: 'teams-container-dark.css',
    chat: '#1f1f1f', card: '#2d2c2c', caption: '#c8c6c4',
    buttons: `
.ac-pushButton.style-positive { background-color: #6264a7; border: 2px solid #6264a7; color: #fff; }
.ac-pushButton.style-destructive { background-color: transparent; border: 2px solid #6165a4; color: #e37d80; }
.ac-pushButton.expanded { background-color: #6264a7; border: 2px solid #6264a7; color: #fff; }
.ac-pushButton.subdued { color: #c8c6c4; border: 1px solid #6165a4; }
a.ac-anchor:link, a.ac-anchor:visited { color: #a6a7dc; }`,
  },
  contrast: {
    hostConfig: 'microsoft-teams-high-contrast.json',
    css: 'teams-container-high-contrast.css',
    chat: '#000000', card: '#000000', caption: '#ffffff',
    buttons: `
#card { border: 1px solid #ffffff; }
.ac-pushButton.style-positive { background-color: #1aebff; border: 2px solid #1aebff; color: #000; }
.ac-pushButton.style-destructive { background-color: #000; border: 2px solid #fff; color: #fff; }
.ac-pushButton.subdued { color: #fff; border: 1px solid #fff; }`,
  },
};

// The page: the chat background, a caption, and the card host. "Segoe UI" is not on Linux;
// Liberation Sans (Arial metrics) is the nearest stand-in.
function pageHtml(theme) {
  return `<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><title>Card</title><style>
@font-face { font-family: 'Segoe UI'; font-weight: 100 500; src: local('Liberation Sans'); }
@font-face { font-family: 'Segoe UI'; font-weight: 600 900; src: local('Liberation Sans Bold'); }
html, body { margin: 0; background: ${theme.chat}; font-family: 'Segoe UI', sans-serif; }
#shot { display: inline-block; padding: 12px 16px 16px; background: ${theme.chat}; }
#caption { font-size: 12px; color: ${theme.caption}; margin: 0 0 6px 2px; }
#card { background: ${theme.card}; border-radius: 6px; overflow: hidden;
        box-shadow: 0 1px 2px rgba(0, 0, 0, .14), 0 0 2px rgba(0, 0, 0, .12); }
</style></head><body><div id="shot"><div id="caption"></div><div id="card"></div></div></body></html>`;
}

/** The card files of a folder, sorted. */
export function cardFiles(inDir) {
  return readdirSync(inDir).filter((f) => f.endsWith('.json') && f !== 'report.json').sort();
}

// A 1x1 transparent PNG: with `stubImages`, every image "loads" as this, so the renderer keeps
// the <img> and axe can check its text alternative.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

/** One browser for everything; nothing leaves the machine (links stay unloaded; images too,
 * unless `stubImages`). */
export async function launch({ stubImages = false } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'card-render-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: FULL_WIDTH + 64, height: 800 },
    deviceScaleFactor: 2,
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  await context.route('**/*', (route) => (
    stubImages && route.request().resourceType() === 'image'
      ? route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL })
      : route.abort()));
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/** A page of `context` set up for `themeName`; returns {page, hostConfig, errors}. */
export async function openThemePage(context, themeName) {
  const theme = THEMES[themeName];
  if (!theme) throw new Error(`unknown theme ${themeName}: one of ${Object.keys(THEMES)}`);
  const hostConfig = JSON.parse(readFileSync(join(HERE, theme.hostConfig), 'utf8'));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  await page.setContent(pageHtml(theme));
  await page.addStyleTag({ path: join(MODULES, 'adaptivecards/dist/adaptivecards.css') });
  await page.addStyleTag({ path: join(HERE, theme.css) });
  await page.addStyleTag({ content: theme.buttons + CHEVRON });
  await page.addScriptTag({ path: join(MODULES, 'adaptivecards/dist/adaptivecards.min.js') });
  await page.addScriptTag({ path: join(MODULES, 'markdown-it/dist/browser/markdown-it.umd.min.js') });
  return { page, hostConfig, errors };
}

/** The width to draw a card: `forced` if given, else as Teams does on a desktop. */
export function cardWidth(payload, forced) {
  if (forced) return forced;
  const full = String(payload?.msteams?.width ?? '').toLowerCase() === 'full';
  return full ? FULL_WIDTH : WIDTH;
}

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

/** Draw one card on a theme page; returns the renderer's messages (and page errors). */
export async function renderCard(themePage, name, payload, width) {
  const { page, hostConfig, errors } = themePage;
  errors.length = 0;
  const messages = await page.evaluate(renderInPage, { name, payload, hostConfig, width });
  await page.evaluate(() => document.fonts.ready);
  return [...messages, ...errors];
}

/** The card's top-level Action.ShowCard buttons (opening one shows its form). */
export function showCardButtons(page) {
  return page.locator('#card button.expandable');
}

export async function setCaption(page, text) {
  await page.evaluate((t) => { document.getElementById('caption').textContent = t; }, text);
}

export async function shoot(page, file) {
  await page.evaluate(() => document.fonts.ready);
  await page.locator('#shot').screenshot({ path: file });
}
