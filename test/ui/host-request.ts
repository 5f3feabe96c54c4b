import { request } from 'node:http';

/** Status and body text of an answer. */
export interface Answer {
  status: number;
  body: string;
}

/** A request to 127.0.0.1:`port` that says it is for `host` (fetch cannot set the Host header). */
export function send(port: number, host: string | undefined, method: string, path: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    if (host !== undefined) req.setHeader('host', host);
    req.on('error', reject);
    req.end(body);
  });
}

