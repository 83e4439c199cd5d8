// Raw HTTP over a socket, for what fetch would not send: bytes as they
// are (a NUL in the path, two Content-Lengths), any Host, a chosen local
// address (Linux routes all of 127/8 to the loopback device, so
// 127.0.0.2 is another client of a server on 127.0.0.1).
import { connect } from 'node:net';

// Sends bytes and resolves, once the server closes the connection (or
// after idleMs without data), to { status, headers, text, json, raw,
// responses, closed }: status etc. of the first answer, responses = how
// many status lines arrived, closed = whether the server closed.
export function rawRequest(port, bytes, { localAddress, idleMs = 3000, timeoutMs = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1', localAddress });
    const chunks = [];
    let idle;
    let closed = false;
    let done = false;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error('no answer in time')); }, timeoutMs);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(idle);
      const all = Buffer.concat(chunks).toString('latin1');
      sock.destroy();
      if (!all) { resolve({ closed: true, responses: 0, raw: '' }); return; }
      const head = all.slice(0, all.indexOf('\r\n\r\n'));
      const status = Number(head.split(' ')[1]);
      const headers = {};
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      const rest = all.slice(head.length + 4);
      const len = Number(headers['content-length'] ?? rest.length);
      const text = Buffer.from(rest.slice(0, len), 'latin1').toString('utf8');
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      const responses = (all.match(/(^|\r\n)HTTP\/1\.[01] \d{3} /g) || []).length;
      resolve({ status, headers, text, json, raw: all, responses, closed });
    };
    const arm = () => { clearTimeout(idle); idle = setTimeout(finish, idleMs); };
    sock.on('data', (d) => { chunks.push(d); arm(); });
    sock.on('error', () => { /* a reset: judged by what arrived */ });
    sock.on('close', () => { closed = true; finish(); });
    sock.on('connect', arm);
    sock.write(bytes);
  });
}

// A GET with the given Host (and more header lines); the connection closes after.
export function rawGet(port, path, host, extra = [], opts = {}) {
  const lines = [`GET ${path} HTTP/1.1`, ...(host === null ? [] : [`Host: ${host}`]), 'Connection: close', ...extra];
  return rawRequest(port, Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), opts);
}
