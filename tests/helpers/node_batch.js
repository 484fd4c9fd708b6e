// Run many small programs, each in its own worker_threads Worker (own event loop).
// stdin: {"prelude": "...", "programs": ["...", ...], "concurrency": k, "timeout_ms": t}
// stdout: [{"out": [lines], "error": null | "message"}, ...] in program order.
'use strict';
const { Worker } = require('worker_threads');

function runOne(code, timeoutMs) {
  return new Promise((resolve) => {
    const w = new Worker(code, { eval: true, stdout: false, stderr: true });
    let out = null;
    let error = null;
    const timer = setTimeout(() => { error = 'timeout'; w.terminate(); }, timeoutMs);
    w.on('message', (m) => { out = m; });
    w.on('error', (e) => { error = String(e && e.stack || e); });
    w.on('exit', () => { clearTimeout(timer); resolve({ out: out || [], error }); });
  });
}

async function main() {
  let input = '';
  for await (const chunk of process.stdin) input += chunk;
  const job = JSON.parse(input);
  const results = new Array(job.programs.length);
  let next = 0;
  async function lane() {
    while (next < job.programs.length) {
      const i = next++;
      results[i] = await runOne(job.prelude + '\n' + job.programs[i], job.timeout_ms || 10000);
    }
  }
  const lanes = [];
  for (let k = 0; k < Math.max(1, job.concurrency || 1); k++) lanes.push(lane());
  await Promise.all(lanes);
  process.stdout.write(JSON.stringify(results));
}

main();
