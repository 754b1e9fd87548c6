// Self-test of scripts/wasm-stable-compare.mjs, run by `scripts/build-wasm.sh --check` before it compares
// the JavaScript components: the comparison must see through how a snapshot is cut into data segments,
// and must still refuse a real difference.
//
//   node scripts/wasm-stable-compare.test.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const compare = join(dirname(fileURLToPath(import.meta.url)), 'wasm-stable-compare.mjs');
const uleb = (n) => { const out = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; out.push(b); } while (n); return out; };
const sleb = (n) => { const out = []; for (;;) { const b = n & 0x7f; n >>= 7;
  if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) { out.push(b); return out; } out.push(b | 0x80); } };
const section = (id, bytes) => [id, ...uleb(bytes.length), ...bytes];
const text = (s) => [...Buffer.from(s, 'latin1')];

// A component holding one core module whose memory is initialised by `segments` ([offset, string] pairs),
// with `code` as a custom section standing in for everything that must match exactly.
function component(segments, code = 'code') {
  const data = [...uleb(segments.length)];
  for (const [offset, bytes] of segments) data.push(0, 0x41, ...sleb(offset), 0x0b, ...uleb(bytes.length), ...text(bytes));
  const module = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(0, [...uleb(4), ...text('code'), ...text(code)]),
    ...section(5, [1, 0x00, 1]),                // one memory, one page
    ...section(12, uleb(segments.length)),     // data count: follows the encoding
    ...section(11, data)];
  return Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, ...section(1, module)]);
}

const dir = mkdtempSync(join(tmpdir(), 'wasm-stable-compare-'));
let n = 0;
function same(x, y) {
  const fx = join(dir, `${n++}.wasm`), fy = join(dir, `${n++}.wasm`);
  writeFileSync(fx, x); writeFileSync(fy, y);
  try { execFileSync('node', [compare, fx, fy], { stdio: 'pipe' }); return true; } catch { return false; }
}
const cases = [
  ['identical builds', component([[16, 'abc\0def']]), component([[16, 'abc\0def']]), true],
  ['the same memory cut into other segments', component([[16, 'abc\0\0def'], [4000, 'xyz']]),
    component([[16, 'abc'], [21, 'def'], [4000, 'xy'], [4002, 'z']]), true],
  ['a few seeded bytes', component([[16, 'abcdefgh']]), component([[16, 'abXdeYgh']]), true],
  ['a seeded byte that came out zero and split a segment', component([[16, 'abcdefgh']]),
    component([[16, 'abc'], [20, 'efgh']]), true],
  ['more than 64 bytes of memory differ', component([[16, 'a'.repeat(100)]]), component([[16, 'b'.repeat(100)]]), false],
  ['memory moved to another offset', component([[16, 'abcdefghij'.repeat(8)]]), component([[17, 'abcdefghij'.repeat(8)]]), false],
  ['code differs', component([[16, 'abc']], 'one'), component([[16, 'abc']], 'two'), false],
];
let failed = 0;
for (const [name, x, y, expected] of cases) {
  const got = same(x, y);
  if (got !== expected) { console.error(`FAIL ${name}: expected ${expected ? 'equal' : 'different'}`); failed++; }
}
if (failed) process.exit(1);
console.log(`wasm-stable-compare: ${cases.length} cases ok`);
