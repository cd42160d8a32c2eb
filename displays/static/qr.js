/* qr.js — a small QR Code encoder (ISO/IEC 18004): byte mode, error correction level M,
 * versions 1–10 (up to 213 bytes), the mask chosen by the standard's penalty score.
 *
 * HallqQR.encode(text, mask?) → {version, mask, size, modules: boolean[][] (true = dark)}
 * HallqQR.svg(text, {quiet = 4, title}) → an <svg> element, one path, crisp when printed.
 */
"use strict";

const HallqQR = (() => {
  // Level M per version: [error correction codewords per block, blocks in group 1,
  // data codewords each, blocks in group 2 (each one data codeword more)].
  const BLOCKS_M = [null,
    [10, 1, 16, 0], [16, 1, 28, 0], [26, 1, 44, 0], [18, 2, 32, 0], [24, 2, 43, 0],
    [16, 4, 27, 0], [18, 4, 31, 0], [22, 2, 38, 2], [22, 3, 36, 2], [26, 4, 43, 1]];
  const ALIGN = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34],
    [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];
  const FORMAT_M = 0; // level M's two bits are 00

  // GF(256) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d).
  const EXP = new Array(512), LOG = new Array(256);
  for (let i = 0, x = 1; i < 255; i++) {
    EXP[i] = x; LOG[x] = i;
    x <<= 1; if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255];
  const mul = (a, b) => (a && b ? EXP[LOG[a] + LOG[b]] : 0);

  function generator(degree) { // (x - α^0)(x - α^1)…, highest power first, leading 1 dropped
    let g = [1];
    for (let i = 0; i < degree; i++) {
      const next = new Array(g.length + 1).fill(0);
      for (let j = 0; j < g.length; j++) {
        next[j] ^= g[j];
        next[j + 1] ^= mul(g[j], EXP[i]);
      }
      g = next;
    }
    return g.slice(1);
  }

  function remainder(data, degree) {
    const g = generator(degree), r = new Array(degree).fill(0);
    for (const byte of data) {
      const factor = byte ^ r.shift();
      r.push(0);
      for (let i = 0; i < degree; i++) r[i] ^= mul(g[i], factor);
    }
    return r;
  }

  function dataCapacity(v) {
    const [, n1, k1, n2] = BLOCKS_M[v];
    return n1 * k1 + n2 * (k1 + 1);
  }

  function codewords(bytes, v) {
    const bits = [];
    const put = (value, n) => { for (let i = n - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
    put(0b0100, 4); // byte mode
    put(bytes.length, v < 10 ? 8 : 16);
    for (const b of bytes) put(b, 8);
    const capacity = dataCapacity(v) * 8;
    put(0, Math.min(4, capacity - bits.length)); // terminator
    while (bits.length % 8) bits.push(0);
    const data = [];
    for (let i = 0; i < bits.length; i += 8) data.push(parseInt(bits.slice(i, i + 8).join(""), 2));
    for (let pad = 0xec; data.length < capacity / 8; pad ^= 0xec ^ 0x11) data.push(pad);
    // Split into blocks, add each block's error correction, interleave.
    const [ec, n1, k1, n2] = BLOCKS_M[v];
    const blocks = [];
    let at = 0;
    for (let b = 0; b < n1 + n2; b++) {
      const k = b < n1 ? k1 : k1 + 1;
      const block = data.slice(at, at + k);
      at += k;
      blocks.push({ data: block, ec: remainder(block, ec) });
    }
    const out = [];
    for (let i = 0; i <= k1; i++) for (const b of blocks) if (i < b.data.length) out.push(b.data[i]);
    for (let i = 0; i < ec; i++) for (const b of blocks) out.push(b.ec[i]);
    return out;
  }

  function bch(value, poly, polyBits) { // value · x^(polyBits-1) mod poly, appended
    let r = value << (polyBits - 1);
    for (let i = 31 - Math.clz32(r); i >= polyBits - 1; i--) if ((r >>> i) & 1) r ^= poly << (i - polyBits + 1);
    return (value << (polyBits - 1)) | r;
  }

  const MASKS = [
    (r, c) => (r + c) % 2 === 0,
    (r) => r % 2 === 0,
    (r, c) => c % 3 === 0,
    (r, c) => (r + c) % 3 === 0,
    (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0,
    (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
    (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0,
    (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
  ];

  function build(v, words, mask) {
    const size = 17 + 4 * v;
    const m = Array.from({ length: size }, () => new Array(size).fill(false));
    const fn = Array.from({ length: size }, () => new Array(size).fill(false));
    const set = (r, c, dark) => { m[r][c] = dark; fn[r][c] = true; };

    for (const [r0, c0] of [[0, 0], [0, size - 7], [size - 7, 0]]) { // finders + separators
      for (let r = -1; r <= 7; r++) for (let c = -1; c <= 7; c++) {
        const rr = r0 + r, cc = c0 + c;
        if (rr < 0 || cc < 0 || rr >= size || cc >= size) continue;
        const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
        set(rr, cc, ring !== 2 && ring !== 4);
      }
    }
    for (let i = 8; i < size - 8; i++) { set(6, i, i % 2 === 0); set(i, 6, i % 2 === 0); } // timing
    const centres = ALIGN[v];
    const last = centres.length - 1;
    centres.forEach((r, i) => centres.forEach((c, j) => {
      if ((i === 0 && (j === 0 || j === last)) || (i === last && j === 0)) return; // finders
      for (let dr = -2; dr <= 2; dr++) for (let dc = -2; dc <= 2; dc++) {
        set(r + dr, c + dc, Math.max(Math.abs(dr), Math.abs(dc)) !== 1);
      }
    }));
    // Format information (15 bits) twice, and the dark module.
    const format = bch((FORMAT_M << 3) | mask, 0x537, 11) ^ 0x5412;
    const bit = (x, i) => ((x >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) set(i, 8, bit(format, i));
    set(7, 8, bit(format, 6)); set(8, 8, bit(format, 7)); set(8, 7, bit(format, 8));
    for (let i = 9; i < 15; i++) set(8, 14 - i, bit(format, i));
    for (let i = 0; i < 8; i++) set(8, size - 1 - i, bit(format, i));
    for (let i = 8; i < 15; i++) set(size - 15 + i, 8, bit(format, i));
    set(size - 8, 8, true);
    if (v >= 7) { // version information (18 bits) twice
      const info = bch(v, 0x1f25, 13);
      for (let i = 0; i < 18; i++) {
        const a = size - 11 + (i % 3), b = Math.floor(i / 3);
        set(a, b, bit(info, i)); set(b, a, bit(info, i));
      }
    }
    // Data in two-column zigzags from the bottom right, skipping the timing column.
    let k = 0;
    const total = words.length * 8;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      const upward = ((right + 1) & 2) === 0;
      for (let i = 0; i < size; i++) {
        const r = upward ? size - 1 - i : i;
        for (const c of [right, right - 1]) {
          if (fn[r][c]) continue;
          const dark = k < total && ((words[k >> 3] >>> (7 - (k & 7))) & 1) === 1;
          k++;
          m[r][c] = dark !== MASKS[mask](r, c);
        }
      }
    }
    return m;
  }

  function penalty(m) {
    const size = m.length;
    let score = 0;
    const line = (get) => { // N1 runs of five or more, N3 finder-like 1:1:3:1:1 with 4 light
      for (let a = 0; a < size; a++) {
        let run = 1;
        for (let b = 1; b <= size; b++) {
          if (b < size && get(a, b) === get(a, b - 1)) { run++; continue; }
          if (run >= 5) score += 3 + (run - 5);
          run = 1;
        }
        for (let b = 0; b + 7 <= size; b++) {
          const core = [1, 0, 1, 1, 1, 0, 1].every((x, i) => get(a, b + i) === (x === 1));
          if (!core) continue;
          const light = (from, to) => { for (let i = from; i < to; i++) if (i >= 0 && i < size && get(a, i)) return false; return true; };
          if (light(b - 4, b) || light(b + 7, b + 11)) score += 40;
        }
      }
    };
    line((r, c) => m[r][c]);
    line((c, r) => m[r][c]);
    let dark = 0;
    for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) {
      if (m[r][c]) dark++;
      if (r + 1 < size && c + 1 < size) { // N2 2×2 blocks
        const x = m[r][c];
        if (m[r][c + 1] === x && m[r + 1][c] === x && m[r + 1][c + 1] === x) score += 3;
      }
    }
    score += 10 * Math.floor(Math.abs(dark * 20 - size * size * 10) / (size * size)); // N4
    return score;
  }

  function encode(text, mask) {
    const bytes = Array.from(new TextEncoder().encode(text));
    let v = 1;
    while (v <= 10 && dataCapacity(v) < bytes.length + (v < 10 ? 2 : 3)) v++;
    if (v > 10) throw new Error("QR: text too long (" + bytes.length + " bytes)");
    const words = codewords(bytes, v);
    let best = null;
    for (let k = 0; k < 8; k++) {
      if (mask !== undefined && k !== mask) continue;
      const modules = build(v, words, k);
      const score = mask !== undefined ? 0 : penalty(modules);
      if (!best || score < best.score) best = { version: v, mask: k, size: modules.length, modules, score };
    }
    return best;
  }

  function svg(text, options) {
    const quiet = (options && options.quiet) ?? 4;
    const qr = encode(text);
    const n = qr.size + 2 * quiet;
    let d = "";
    qr.modules.forEach((row, r) => row.forEach((dark, c) => {
      if (dark) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
    }));
    const ns = "http://www.w3.org/2000/svg";
    const el = document.createElementNS(ns, "svg");
    el.setAttribute("viewBox", `0 0 ${n} ${n}`);
    el.setAttribute("shape-rendering", "crispEdges");
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", (options && options.title) || text);
    el.dataset.text = text;
    el.dataset.version = qr.version;
    el.dataset.mask = qr.mask;
    const bg = document.createElementNS(ns, "rect");
    bg.setAttribute("width", n); bg.setAttribute("height", n); bg.setAttribute("fill", "#fff");
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d); path.setAttribute("fill", "#000");
    el.append(bg, path);
    return el;
  }

  return { encode, svg };
})();

if (typeof module !== "undefined") module.exports = HallqQR;
