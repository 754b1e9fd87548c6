// Compares two builds of a JavaScript component (scripts/build-js-component.sh) on what the build
// reproduces. Everything must be byte-identical except a few bytes inside the data section of the
// engine's core module: Wizer itself draws one 8-byte seed from the kernel (a direct getrandom system
// call that the build's preload cannot reach), and the JavaScript engine's snapshot keeps about two dozen
// bytes derived from it (hash-table seeds). Lengths, all other sections and all code must match.
//
//   node scripts/wasm-stable-compare.mjs A.wasm B.wasm     exit 0 when equal in that sense
import { readFileSync } from 'node:fs';

const MAX_SEEDED_BYTES = 64;
const [a, b] = process.argv.slice(2).map((f) => readFileSync(f));

function leb(buf, pos) {
  let result = 0, shift = 0, byte;
  do { byte = buf[pos++]; result += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
  return [result, pos];
}
// [start, end) of every core module's data section (id 11) nested in the component's core-module sections (id 1)
function dataSections(buf) {
  const ranges = [];
  let pos = 8;
  while (pos < buf.length) {
    const id = buf[pos];
    const [size, body] = leb(buf, pos + 1);
    if (id === 1) {
      let p = body + 8;
      while (p < body + size) {
        const [s, b2] = leb(buf, p + 1);
        if (buf[p] === 11) ranges.push([b2, b2 + s]);
        p = b2 + s;
      }
    }
    pos = body + size;
  }
  return ranges;
}

if (a.length !== b.length) {
  console.error(`lengths differ: ${a.length} vs ${b.length}`);
  process.exit(1);
}
const ranges = dataSections(a);
let seeded = 0;
for (let i = 0; i < a.length; i++) {
  if (a[i] === b[i]) continue;
  if (!ranges.some(([s, e]) => i >= s && i < e)) {
    console.error(`differs outside a data section at byte ${i}`);
    process.exit(1);
  }
  seeded++;
}
if (seeded > MAX_SEEDED_BYTES) {
  console.error(`${seeded} bytes of data differ (more than the ${MAX_SEEDED_BYTES} a build seed explains)`);
  process.exit(1);
}
if (seeded > 0) console.log(`equal except ${seeded} seeded bytes in a data section`);
