// Compares two builds of a JavaScript component (scripts/build-js-component.sh) on what the build
// reproduces. Everything must be byte-identical except a few bytes of the memory image that Wizer's
// snapshot writes into the engine's core module: Wizer itself draws one 8-byte seed from the kernel (a
// direct getrandom system call that the build's preload cannot reach), and the JavaScript engine's snapshot
// keeps about two dozen bytes derived from it (hash-table seeds).
//
// The snapshot is compared as the memory it initialises, not as its encoding: Wizer drops runs of zeros
// and cuts the image into at most 10,000 active data segments, so a seeded byte that happens to be zero
// moves segment boundaries (and the data count) and can shift megabytes of the encoded section while the
// memory differs in one byte (seen in CI: "1701963 bytes of data differ"). All other sections and all code
// must match byte for byte.
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
// Signed LEB128, for i32.const offsets.
function sleb(buf, pos) {
  let result = 0n, shift = 0n, byte;
  do { byte = buf[pos++]; result |= BigInt(byte & 0x7f) << shift; shift += 7n; } while (byte & 0x80);
  if (byte & 0x40) result -= 1n << shift;
  return [Number(BigInt.asIntN(32, result)), pos];
}

// What a data section initialises: active segments of memory 0 with constant offsets, as a sorted list of
// [offset, bytes]; anything else (passive segments, other memories, computed offsets) kept as raw bytes.
function dataImage(body) {
  let [count, pos] = leb(body, 0);
  const active = [], raw = [];
  for (let i = 0; i < count; i++) {
    const start = pos;
    const [flags, p1] = leb(body, pos);
    if (flags === 0 && body[p1] === 0x41) { // active, memory 0, i32.const offset end
      const [offset, p2] = sleb(body, p1 + 1);
      if (body[p2] !== 0x0b) throw new Error('unexpected data segment offset expression');
      const [len, p3] = leb(body, p2 + 1);
      active.push([offset >>> 0, body.subarray(p3, p3 + len)]);
      pos = p3 + len;
    } else { // keep the rest exactly: parse only far enough to find its end
      let p = p1;
      if (flags === 2) p = leb(body, p)[1];
      if (flags !== 1) { while (body[p] !== 0x0b) p++; p++; } // constant expression without nested 0x0b
      const [len, p3] = leb(body, p);
      pos = p3 + len;
      raw.push(body.subarray(start, pos));
    }
  }
  return { active, raw: Buffer.concat(raw) };
}

// Bytes at which two memory images differ (a byte no segment covers is zero).
function imageDifference(x, y) {
  const size = Math.max(0, ...x.map(([o, b]) => o + b.length), ...y.map(([o, b]) => o + b.length));
  const flat = (segments) => {
    const m = Buffer.alloc(size);
    for (const [o, b] of segments) b.copy(m, o);
    return m;
  };
  const mx = flat(x), my = flat(y);
  let differ = 0;
  for (let i = 0; i < size; i++) if (mx[i] !== my[i]) differ++;
  return differ;
}

// The file as pieces: each core module's data section as its image, everything else (section ids,
// non-data bodies) raw. Section sizes and the data count section are left out: they follow the encoding.
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
        if (buf[p] === 11) out.push({ data: dataImage(buf.subarray(b2, b2 + s)) });
        else if (buf[p] !== 12) out.push({ raw: buf.subarray(p, b2 + s) });
        p = b2 + s;
      }
    } else {
      out.push({ raw: Buffer.concat([Buffer.from([id]), buf.subarray(body, body + size)]) });
    }
    pos = body + size;
  }
  return out;
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
    if (pa[i].data.raw.compare(pb[i].data.raw) !== 0) {
      console.error(`passive or non-constant data segments differ (piece ${i})`);
      process.exit(1);
    }
    seeded += imageDifference(pa[i].data.active, pb[i].data.active);
  }
}
if (seeded > MAX_SEEDED_BYTES) {
  console.error(`${seeded} bytes of the memory image differ (more than the ${MAX_SEEDED_BYTES} a build seed explains)`);
  process.exit(1);
}
if (seeded > 0) console.log(`equal except ${seeded} seeded bytes in the memory image`);
