// Checks Adaptive Cards for WCAG 2.2 AA with axe-core, as Teams draws them, in every theme and width.
//
//   node tools/render/a11y.mjs <in_dir> <report.json>
//        [--themes light,dark,contrast] [--widths 360,760] [--shots <dir>]
//
// Each card is rendered with Microsoft's official JS renderer on a Teams-like page, then axe-core
// runs on the card with the wcag2a, wcag2aa, wcag21aa and wcag22aa rules: once as posted, and once
// with each top-level Action.ShowCard opened (their forms are hidden until then). One Chromium,
// one page per theme, the themes in parallel. --shots also writes <dir>/<theme>-<width>/<name>.png.
//
// The report: {"checked": [{card, theme, width, views, cut_short: [button titles shown with "…"]}], "violations": [{card, theme, width, view,
// rule, impact, help, nodes: [{target, summary}]}], "needs_review": [the same, for what axe could
// not decide], "renderer": {card: [messages]}}.
// Exit code 1 if there is any violation or renderer message, 2 on usage or browser errors.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  MODULES, THEMES, cardFiles, launch, openThemePage, renderCard, shoot, showCardButtons,
} from './teams-page.mjs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];
const AXE = readFileSync(join(MODULES, 'axe-core/axe.min.js'), 'utf8');

// Runs inside the page: axe on the card only (the page around it is this tool's, not Teams').
async function axeInPage(tags) {
  const result = await window.axe.run('#card', {
    runOnly: { type: 'tag', values: tags },
    resultTypes: ['violations', 'incomplete'],
  });
  const brief = (list) => list.map((v) => ({
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }));
  return { violations: brief(result.violations), incomplete: brief(result.incomplete) };
}

// Runs inside the page: the titles of buttons too narrow for their text (shown cut short with
// "…"; the accessible name stays whole, so axe passes them). Reported, not failed: see README.
function truncatedButtons() {
  const cut = (el) => el.scrollWidth > el.clientWidth + 1;
  return [...document.querySelectorAll('#card button')]
    .filter((b) => b.offsetParent !== null && (cut(b) || [...b.querySelectorAll('*')].some(cut)))
    .map((b) => b.getAttribute('aria-label') || b.innerText.trim());
}

// Runs inside the page: click the n-th ShowCard button; return its title.
function toggleShowCard(n) {
  const button = document.querySelectorAll('#card button.expandable')[n];
  button.click();
  return button.innerText.trim();
}

async function checkCard(themePage, theme, name, payload, width, shots) {
  const { page } = themePage;
  const messages = await renderCard(themePage, name, payload, width);
  const found = [];
  const unsure = [];
  const cut = new Set();
  const views = [];
  const check = async (view) => {
    views.push(view);
    const { violations, incomplete } = await page.evaluate(axeInPage, TAGS);
    for (const v of violations) found.push({ view, ...v });
    for (const v of incomplete) unsure.push({ view, ...v });
    for (const title of await page.evaluate(truncatedButtons)) cut.add(title);
  };
  await check('as posted');
  if (shots) await shoot(page, join(shots, `${theme}-${width}`, `${name}.png`));
  // Clicked in the page (a real click per button is slow and adds nothing here).
  const count = await showCardButtons(page).count();
  for (let i = 0; i < count; i++) {
    const title = await page.evaluate(toggleShowCard, i);
    await check(`"${title}" opened`);
    await page.evaluate(toggleShowCard, i);
  }
  return { messages, views, found, unsure, cut: [...cut] };
}

async function runTheme(context, theme, cards, widths, shots) {
  const themePage = await openThemePage(context, theme);
  await themePage.page.addScriptTag({ content: AXE });
  const checked = [];
  const violations = [];
  const needsReview = [];
  const renderer = {};
  for (const [name, payload] of cards) {
    for (const width of widths) {
      let result;
      try {
        result = await checkCard(themePage, theme, name, payload, width, shots);
      } catch (error) {
        result = {
          messages: [`error: ${error.message.split('\n')[0]}`], views: [], found: [], unsure: [],
          cut: [],
        };
      }
      checked.push({ card: name, theme, width, views: result.views, cut_short: result.cut });
      for (const v of result.found) violations.push({ card: name, theme, width, ...v });
      for (const v of result.unsure) needsReview.push({ card: name, theme, width, ...v });
      if (result.messages.length) renderer[`${name} (${theme}, ${width} px)`] = result.messages;
      const bad = result.found.length + result.messages.length;
      console.log(`${bad ? 'FAIL' : 'ok  '} ${name} ${theme} ${width}px`);
    }
  }
  await themePage.page.close();
  return { checked, violations, needsReview, renderer };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      themes: { type: 'string', default: Object.keys(THEMES).join(',') },
      widths: { type: 'string', default: '360,760' },
      shots: { type: 'string' },
    },
  });
  const [inDir, reportFile] = positionals;
  const themes = values.themes.split(',');
  const widths = values.widths.split(',').map(Number);
  if (!inDir || !reportFile || widths.some((w) => !(w > 0))
      || themes.some((t) => !(t in THEMES))) {
    console.error('usage: node tools/render/a11y.mjs <in_dir> <report.json> '
      + '[--themes light,dark,contrast] [--widths 360,760] [--shots <dir>]');
    return 2;
  }
  if (values.shots) {
    for (const t of themes) for (const w of widths) mkdirSync(join(values.shots, `${t}-${w}`), { recursive: true });
  }
  const cards = cardFiles(inDir).map((file) => [
    basename(file, '.json'), JSON.parse(readFileSync(join(inDir, file), 'utf8')),
  ]);
  const browser = await launch({ stubImages: true });
  let results;
  try {
    results = await Promise.all(
      themes.map((t) => runTheme(browser.context, t, cards, widths, values.shots)),
    );
  } finally {
    await browser.close();
  }
  const report = {
    tags: TAGS,
    checked: results.flatMap((r) => r.checked),
    violations: results.flatMap((r) => r.violations),
    needs_review: results.flatMap((r) => r.needsReview),
    renderer: Object.assign({}, ...results.map((r) => r.renderer)),
  };
  writeFileSync(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  for (const v of report.violations) {
    console.log(`${v.card} [${v.theme}, ${v.width} px, ${v.view}] ${v.rule}: ${v.help}`);
    for (const n of v.nodes) console.log(`     ${n.target}: ${n.summary.replace(/\n\s*/g, ' ')}`);
  }
  const failed = report.violations.length + Object.keys(report.renderer).length;
  console.log(`${cards.length} card(s) x ${themes.length} theme(s) x ${widths.length} width(s) = `
    + `${report.checked.length} checked; ${report.violations.length} violation(s), `
    + `${report.needs_review.length} left for review; `
    + `${report.checked.filter((c) => c.cut_short.length).length} with button titles cut short`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(2);
  },
);
