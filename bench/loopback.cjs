'use strict';
// Preload (`node -r bench/loopback.cjs ...`) that pins every TCP listener of the
// process to 127.0.0.1. server-everything calls app.listen(PORT) with no host,
// which would otherwise bind all interfaces; the benchmark must stay on loopback.
const net = require('net');

const LOOPBACK = '127.0.0.1';
const WILDCARD = new Set(['', '0.0.0.0', '::', '[::]', '::0']);

function isPortLike(v) {
  return typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v));
}

const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    // listen(options[, cb]); leave handles/fds and unix sockets alone.
    const isTcp = !('path' in first) && !('fd' in first) && !('_handle' in first) &&
                  !('handle' in first);
    if (isTcp && (first.host === undefined || WILDCARD.has(String(first.host)))) {
      args[0] = Object.assign({}, first, { host: LOOPBACK });
    }
  } else if (args.length === 0 || first === undefined || first === null) {
    // listen() / listen(undefined, ...): random port on all interfaces -> loopback.
    args.splice(0, 1, 0, LOOPBACK);
  } else if (isPortLike(first)) {
    const second = args[1];
    if (typeof second === 'string') {
      if (WILDCARD.has(second)) args[1] = LOOPBACK;
    } else {
      // listen(port[, backlog][, cb]) -> listen(port, host[, backlog][, cb])
      args.splice(1, 0, LOOPBACK);
    }
  }
  return originalListen.apply(this, args);
};
