#!/usr/bin/env node
// An externalmetrics metric provider in Node.js: the seed's counters, plus a pushed metric.
//
// Metrics, all in namespace "*" (served to every namespace):
//   node-incrementable  polled every second: base value A; series some-key=A, B, C.
//                       Each second A grows by 1, B by 5, and C shrinks by 1.
//   node-pushed         pushed: grows by 1 for each line "bump" on stdin, announced on Watch.
//
// The contract's .proto is loaded at run time: no generated code. Run `npm ci` first.
'use strict';

const path = require('node:path');
const readline = require('node:readline');
const { parseArgs } = require('node:util');

let grpc;
let protoLoader;
try {
  grpc = require('@grpc/grpc-js');
  protoLoader = require('@grpc/proto-loader');
} catch (e) {
  console.error(`error: ${e.message}: run "npm ci" in ${__dirname} (needs @grpc/grpc-js and @grpc/proto-loader)`);
  process.exit(1);
}

const NAMESPACE = '*';
const INCREMENTABLE = 'node-incrementable';
const PUSHED = 'node-pushed';
const INTERVAL_SECONDS = 1;

const { values: options } = parseArgs({
  options: {
    address: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '50054' },
    'tick-interval': { type: 'string', default: '1' },
    'proto-dir': { type: 'string', default: path.join(__dirname, '..', '..', 'proto', 'src', 'main', 'proto') },
    help: { type: 'boolean', default: false },
  },
});
if (options.help) {
  console.log('usage: node provider.js [--address 127.0.0.1] [--port 50054 (0: any free port)] '
    + '[--tick-interval SECONDS (0: never tick)] [--proto-dir DIR]');
  process.exit(0);
}

const definition = protoLoader.loadSync('externalmetrics/v1/provider.proto', {
  includeDirs: [options['proto-dir']],
  defaults: true, // absent fields read as their defaults, e.g. WatchRequest.metrics as []
});
const { MetricProvider } = grpc.loadPackageDefinition(definition).externalmetrics.v1;

// The seed's counters, replaced as a whole on each tick.
let counters = { a: 0, b: 0, c: 0 };
let pushed = 0;
const watchers = new Set(); // open Watch streams, each with the set of metric names it wants

function fetch(call, callback) {
  const { namespace, name } = call.request.metric ?? {};
  if (namespace === NAMESPACE && name === INCREMENTABLE) {
    const { a, b, c } = counters;
    callback(null, {
      value: a,
      series: [
        { labels: { 'some-key': 'A' }, value: a },
        { labels: { 'some-key': 'B' }, value: b },
        { labels: { 'some-key': 'C' }, value: c },
      ],
    });
  } else if (namespace === NAMESPACE && name === PUSHED) {
    callback(null, { value: pushed });
  } else {
    callback({
      code: grpc.status.NOT_FOUND,
      details: `no metric "${name}" in namespace "${namespace}" here: the Node.js provider serves `
        + `"${INCREMENTABLE}" and "${PUSHED}" in namespace "${NAMESPACE}"`,
    });
  }
}

function describe(call, callback) {
  callback(null, {
    metrics: [
      { metric: { namespace: NAMESPACE, name: INCREMENTABLE }, interval: { seconds: INTERVAL_SECONDS } },
      { metric: { namespace: NAMESPACE, name: PUSHED }, push: {} },
    ],
  });
}

// The stream stays open until the adapter cancels it or this provider stops.
function watch(call) {
  const wanted = call.request.metrics;
  const announcesPushed = wanted.length === 0
    || wanted.some((m) => m.namespace === NAMESPACE && m.name === PUSHED);
  const watcher = { call, announcesPushed };
  watchers.add(watcher);
  // One event as the stream opens: a bump between the adapter's connect-time Fetch and this
  // point would otherwise reach no stream.
  if (announcesPushed) call.write({ metric: { namespace: NAMESPACE, name: PUSHED } });
  call.on('cancelled', () => watchers.delete(watcher));
  call.on('error', () => watchers.delete(watcher));
}

function bump() {
  pushed += 1; // the new value first, so the adapter's Fetch after the event sees it
  for (const { call, announcesPushed } of watchers) {
    if (announcesPushed) call.write({ metric: { namespace: NAMESPACE, name: PUSHED } });
  }
}

const server = new grpc.Server();
server.addService(MetricProvider.service, { Fetch: fetch, Describe: describe, Watch: watch });
const host = options.address.includes(':') ? `[${options.address}]` : options.address;
server.bindAsync(`${host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    console.error(`error: cannot listen on ${host}:${options.port}: ${error.message}`);
    process.exit(1);
  }
  const tickSeconds = Number(options['tick-interval']);
  const ticker = tickSeconds > 0
    ? setInterval(() => {
      const { a, b, c } = counters;
      counters = { a: a + 1, b: b + 5, c: c - 1 };
    }, tickSeconds * 1000)
    : undefined;

  // Each line "bump" on stdin is one event for the pushed metric.
  const lines = readline.createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'bump') bump();
    else if (line.trim()) console.error(`ignored stdin line "${line.trim()}": only "bump" is an event`);
  });

  const stop = () => {
    clearInterval(ticker);
    lines.close();
    process.stdin.destroy();
    for (const { call } of watchers) call.end();
    server.tryShutdown(() => process.exit(0));
    setTimeout(() => { server.forceShutdown(); process.exit(0); }, 1000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  console.log(`node provider listening on ${host}:${port} (metrics "${INCREMENTABLE}" every ${INTERVAL_SECONDS}s `
    + `and "${PUSHED}" on each "bump" line on stdin, namespace "${NAMESPACE}")`);
});
