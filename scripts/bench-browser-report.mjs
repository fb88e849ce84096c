// The markdown table of the in-browser benchmark (scripts/bench-browser.mjs)
// from the page's results: one row per measure, one column per engine, and
// the speed of ganplay (threaded and SIMD) relative to each TF.js backend.

const COLUMNS = [
  ['ganplay threads+FMA', 'ganplay', 'threads-relaxed'],
  ['ganplay threads', 'ganplay', 'threads'],
  ['ganplay FMA', 'ganplay', 'relaxed'],
  ['ganplay SIMD', 'ganplay', 'simd'],
  ['ganplay portable', 'ganplay', 'portable'],
  ['TF.js wasm', 'tfjs', 'wasm'],
  ['TF.js cpu', 'tfjs', 'cpu'],
];
const MODELS = [['seed GAN', 'mlp'], ['DCGAN', 'dcgan']];

export const find = (results, engine, variant, model) =>
  results.find((r) => r.engine === engine && r.variant === variant && r.model === model);

// The figure of a measure, or null; cell() says why there is none.
function value(r, measure) {
  if (!r || r.error || r.available === false) return null;
  if (measure === 'sample') return r.sample?.ms ?? null;
  return r.train?.[measure] ?? null;
}

function cell(r, measure, notes) {
  const v = value(r, measure);
  if (!r) return 'missing';
  if (r.error) return `error: ${shortReason(r.error)}`;
  if (r.available === false) return 'not available';
  const part = measure === 'sample' ? r.sample : r.train;
  if (v === null) {
    if (part?.timeout) return `no step in ${part.timeout / 1000} s`;
    return `fails: ${shortReason(part?.error)}`;
  }
  let text = v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
  if (measure !== 'sample' && (part.fromWarmup || part.stoppedAfterMs)) {
    const steps = part.fromWarmup ? part.warmupSteps : part.steps;
    text += ` (${steps} step${steps === 1 ? '' : 's'}${part.fromWarmup ? ', no warm-up' : ''})`;
    notes.add('(n steps): few steps completed within the time cap; "no warm-up": the rate is from the first steps');
  }
  return text;
}

function shortReason(msg = 'unknown error') {
  const m = msg.match(/Kernel '(\w+)' not registered for backend '(\w+)'/);
  return m ? `no ${m[1]} kernel` : msg.length > 60 ? msg.slice(0, 57) + '...' : msg;
}

// Speed ratio of ganplay SIMD to another column: > 1 means ganplay is faster.
function ratio(a, b, measure) {
  if (a === null || b === null) return '-';
  return (measure === 'sample' ? b / a : a / b).toFixed(1) + 'x';
}

export function table(results) {
  const notes = new Set();
  const header = ['measure', ...COLUMNS.map((c) => c[0]), 'threads+FMA vs TF.js wasm', 'SIMD vs TF.js wasm', 'SIMD vs TF.js cpu'];
  const lines = ['| ' + header.join(' | ') + ' |', '|' + header.map((h, i) => (i ? '---:' : '---')).join('|') + '|'];
  for (const [label, model] of MODELS) {
    for (const [what, measure] of [['steps/s', 'stepsPerSec'], ['images/s', 'imagesPerSec'], ['sample 64 (ms)', 'sample']]) {
      const rs = COLUMNS.map(([, e, v]) => find(results, e, v, model));
      const [threads, , , simd, , wasm, cpu] = rs.map((r) => value(r, measure));
      lines.push('| ' + [`${label} ${what}`, ...rs.map((r) => cell(r, measure, notes)),
        ratio(threads, wasm, measure), ratio(simd, wasm, measure), ratio(simd, cpu, measure)].join(' | ') + ' |');
    }
  }
  notes.add('ratios are speed ratios (for ms rows, TF.js ms / ganplay ms): above 1x ganplay is faster');
  notes.add('threads: the threaded builds on every core the browser offers (the page is cross-origin isolated); ' +
    'FMA: relaxed SIMD\'s fused multiply-add in the GEMM');
  return lines.join('\n') + '\n\n' + [...notes].map((n) => `- ${n}`).join('\n');
}

// 'TF.js <backend> <model> <what>: <message>' for everything TF.js failed at.
export function failures(results) {
  return results.filter((r) => r.engine === 'tfjs').flatMap((r) =>
    [['load', r.error], ['training', r.train?.error], ['sampling', r.sample?.error]]
      .filter(([, e]) => e).map(([what, e]) => `TF.js ${r.variant} ${r.model} ${what}: ${e}`));
}

// Console errors other than the TF.js failures the table reports.
export function unexpectedErrors(errors, results) {
  const reported = results.flatMap((r) => (r.engine === 'tfjs' ? [r.error, r.train?.error, r.sample?.error] : []))
    .filter(Boolean);
  return errors.filter((e) => !reported.some((msg) => e.includes(msg) || msg.includes(e)));
}
