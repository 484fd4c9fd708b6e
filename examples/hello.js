// The same program as hello.py, for `node examples/hello.js`.
const sleep = require('timers/promises').setTimeout;

async function main() {
  console.log('async fn: start (runs synchronously)');
  await sleep(5);
  console.log('async fn: resumed after sleep(5)');
}

function onTimeout() {
  console.log('timeout');
  setTimeout(() => console.log('timeout set in a timeout'), 0);
  setImmediate(() => console.log('immediate set in a timeout (check phase comes first)'));
  process.nextTick(() => console.log('nextTick set in a timeout'));
}

console.log('sync 1');
setTimeout(onTimeout, 0);
Promise.resolve().then(() => console.log('promise job'));
queueMicrotask(() => console.log('queueMicrotask'));
process.nextTick(() => console.log('nextTick (before promise jobs)'));
main();
console.log('sync 2');
