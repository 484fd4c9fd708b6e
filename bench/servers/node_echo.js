// Node `net` echo server: write back each chunk, pause on backpressure, resume on 'drain'.
// Usage: node node_echo.js --host H --port P ; prints "listening on H:P"; exits on SIGINT/SIGTERM.
'use strict';
const net = require('net');

let host = '127.0.0.1';
let port = 0;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--host') host = argv[++i];
  else if (argv[i] === '--port') port = Number(argv[++i]);
}

const server = net.createServer((sock) => {
  sock.on('data', (chunk) => {
    if (!sock.write(chunk)) sock.pause();
  });
  sock.on('drain', () => sock.resume());
  sock.on('error', () => sock.destroy());
});

server.listen({host, port, backlog: 1024}, () => {
  console.log(`listening on ${host}:${server.address().port}`);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}
