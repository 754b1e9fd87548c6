// Compares two builds of a JavaScript component (scripts/build-js-component.sh) on what the build
// reproduces. Everything must be byte-identical except a few bytes inside the data section of the
// engine's core module: Wizer itself draws one 8-byte seed from the kernel (a direct getrandom system
// call that the build's preload cannot reach), and the JavaScript engine's snapshot keeps about two dozen
// bytes derived from it (hash-table seeds); when such a byte is zero the snapshot may trim it, so a data
// section can come out a byte or two shorter. All other sections and all code must match byte for byte.
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
// The file as pieces: each data section's body apart, everything else (section ids, non-data bodies) in
// between. Section sizes are left out, since a data section that is a byte shorter changes its parents' sizes.
function pieces(buf) {
  const out = [];
  let pos = 8;
  while (pos < buf.length) {
    const id = buf[pos];
    const [size, body] = leb(buf, pos + 1);
    if (id === 1) {
      out.push({ raw: Buffer.concat([Buffer.from([id]), buf.subarray(body, body + 8)]) });
      let p = body + 8;
      while (p < body + size) {
        const [s, b2] = leb(buf, p + 1);
        out.push(buf[p] === 11 ? { data: buf.subarray(b2, b2 + s) } : { raw: buf.subarray(p, b2 + s) });
        p = b2 + s;
      }
    } else {
      out.push({ raw: Buffer.concat([Buffer.from([id]), buf.subarray(body, body + size)]) });
    }
    pos = body + size;
  }
  return out;
}

// Bytes of one data section that differ: in place when the lengths agree; otherwise what a common prefix and
// suffix leave (the snapshot trimmed a zero the seed happened to produce).
function seededBytes(x, y) {
  if (x.length === y.length) { // the usual case: scattered seeded bytes in place
    let differ = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) differ++;
    return differ;
  }
  let prefix = 0;
  while (prefix < x.length && prefix < y.length && x[prefix] === y[prefix]) prefix++;
  let suffix = 0;
  while (suffix < x.length - prefix && suffix < y.length - prefix
         && x[x.length - 1 - suffix] === y[y.length - 1 - suffix]) suffix++;
  return Math.max(x.length, y.length) - prefix - suffix;
}

if (a.subarray(0, 8).compare(b.subarray(0, 8)) !== 0) {
  console.error('preambles differ');
  process.exit(1);
}
const pa = pieces(a), pb = pieces(b);
if (pa.length !== pb.length) {
  console.error(`section counts differ: ${pa.length} vs ${pb.length}`);
  process.exit(1);
}
let seeded = 0;
for (let i = 0; i < pa.length; i++) {
  if (pa[i].raw || pb[i].raw) {
    if (!pa[i].raw || !pb[i].raw || pa[i].raw.compare(pb[i].raw) !== 0) {
      console.error(`differs outside a data section (piece ${i})`);
      process.exit(1);
    }
  } else {
    seeded += seededBytes(pa[i].data, pb[i].data);
  }
}
if (seeded > MAX_SEEDED_BYTES) {
  console.error(`${seeded} bytes of data differ (more than the ${MAX_SEEDED_BYTES} a build seed explains)`);
  process.exit(1);
}
if (seeded > 0) console.log(`equal except ${seeded} seeded bytes in data sections`);
