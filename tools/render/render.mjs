// Renders Adaptive Cards to PNG with Microsoft's official JS renderer, styled as Teams.
//
//   node tools/render/render.mjs <in_dir> <out_dir> [--theme light|dark|contrast] [--width N]
//
// Each <in_dir>/<name>.json becomes <out_dir>/<name>.png, plus <name>.show-<n>.png with its n-th
// Action.ShowCard opened. Without --width a card is drawn 500 px wide (760 px if msteams.width is
// "Full"), as in a desktop chat. Every parse or validation message from the renderer goes to
// <out_dir>/report.json ({name: [messages]}); the exit code is 1 if any card has a message, 2 on
// usage or browser errors. Offline: all network requests are blocked.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  cardFiles, cardWidth, launch, openThemePage, renderCard, setCaption, shoot, showCardButtons,
} from './teams-page.mjs';

// One extra picture per top-level Action.ShowCard, opened: <name>.show-<n>.png.
async function shootShowCards(page, name, outDir) {
  const buttons = showCardButtons(page);
  const count = await buttons.count();
  for (let i = 0; i < count; i++) {
    const button = buttons.nth(i);
    await button.click();
    const title = await button.innerText();
    await setCaption(page, `${name}: ${title.trim()} (opened)`);
    await shoot(page, join(outDir, `${name}.show-${i + 1}.png`));
    await button.click();
    await page.mouse.move(0, 0); // no hover colour left on the next picture
  }
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { theme: { type: 'string', default: 'light' }, width: { type: 'string' } },
  });
  const [inDir, outDir] = positionals;
  const width = values.width ? Number(values.width) : undefined;
  if (!inDir || !outDir || (values.width && !(width > 0))) {
    console.error('usage: node tools/render/render.mjs <in_dir> <out_dir> [--theme T] [--width N]');
    return 2;
  }
  mkdirSync(outDir, { recursive: true });
  const report = {};
  const browser = await launch();
  try {
    const themePage = await openThemePage(browser.context, values.theme);
    const { page } = themePage;
    for (const file of cardFiles(inDir)) {
      const name = basename(file, '.json');
      let messages;
      try {
        const payload = JSON.parse(readFileSync(join(inDir, file), 'utf8'));
        messages = await renderCard(themePage, name, payload, cardWidth(payload, width));
        await shoot(page, join(outDir, `${name}.png`));
        await shootShowCards(page, name, outDir);
      } catch (error) {
        messages = [`error: ${error.message.split('\n')[0]}`];
      }
      report[name] = messages;
      console.log(`${messages.length ? 'FAIL' : 'ok  '} ${name}`);
      for (const message of messages) console.log(`     ${message}`);
    }
  } finally {
    await browser.close();
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
