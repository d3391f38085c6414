// Draws media/icon.png (128x128): page frames of a page table, some mapped, one being faulted in,
// with the product's initials. Rendered from SVG by the same headless Chromium the tests use.
// usage: node scripts/make-icon.mjs
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cells = [];
const mapped = new Set([0, 2, 3, 5, 8, 9, 11, 14]);
for (let r = 0; r < 4; r++) {
  for (let c = 0; c < 4; c++) {
    const i = r * 4 + c;
    const fill = i === 6 ? '#f59e0b' : mapped.has(i) ? '#38bdf8' : '#1e3a5f';
    cells.push(`<rect x="${18 + c * 24}" y="${14 + r * 18}" width="20" height="14" rx="2" fill="${fill}"/>`);
  }
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128">
  <defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#0f2a47"/><stop offset="1" stop-color="#081729"/></linearGradient></defs>
  <rect x="4" y="4" width="120" height="120" rx="20" fill="url(#bg)"/>
  ${cells.join('\n  ')}
  <text x="64" y="114" text-anchor="middle" font-family="DejaVu Sans, Arial, sans-serif" font-weight="700" font-size="30" fill="#e2e8f0" letter-spacing="2">MM</text>
</svg>`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 128, height: 128 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.screenshot({ path: join(root, 'media/icon.png'), omitBackground: true, clip: { x: 0, y: 0, width: 128, height: 128 } });
await browser.close();
console.log('wrote media/icon.png');
