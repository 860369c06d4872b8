// Baseline for bench/webhook.ts: the least an HTTP server can do to refuse a request.
const http = require('node:http');
const server = http.createServer((req, res) => {
  res.writeHead(403, { 'content-length': 0 });
  res.end();
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('listening\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
