// Test component: exercises fermyon:spin/key-value@2.0.0 directly (the WIT interface, not the SDK's Kv
// wrapper: spin-sdk 2.0.0's Kv.set JSON-encodes a Uint8Array, so it cannot store raw bytes).
//   GET    /<label>/<key>   200 with the stored bytes, 404 when absent
//   HEAD   /<label>/<key>   200 when the key exists, 404 when not (store.exists)
//   PUT    /<label>/<key>   stores the request body, 204
//   DELETE /<label>/<key>   deletes the key, 204
//   GET    /<label>         200 application/json: the store's keys (getKeys)
// A key-value error answers 500 "kv error: <tag>" with the WIT error's case (e.g. access-denied for an
// ungranted label, no-such-store), or "kv error: <message>" for anything else.
import { Store } from 'fermyon:spin/key-value@2.0.0';

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(req) {
  const [label, ...rest] = new URL(req.url).pathname.slice(1).split('/');
  const key = rest.length ? decodeURIComponent(rest.join('/')) : null;
  try {
    const store = Store.open(decodeURIComponent(label));
    if (key === null) {
      if (req.method !== 'GET') return new Response(null, { status: 405 });
      return new Response(JSON.stringify(store.getKeys()), { headers: { 'content-type': 'application/json' } });
    }
    switch (req.method) {
      case 'GET': {
        const value = store.get(key);
        return value === undefined || value === null ? new Response(null, { status: 404 }) : new Response(value);
      }
      case 'HEAD':
        return new Response(null, { status: store.exists(key) ? 200 : 404 });
      case 'PUT':
        store.set(key, new Uint8Array(await req.arrayBuffer()));
        return new Response(null, { status: 204 });
      case 'DELETE':
        store.delete(key);
        return new Response(null, { status: 204 });
      default:
        return new Response(null, { status: 405 });
    }
  } catch (e) {
    return new Response(`kv error: ${e?.payload?.tag ?? e}`, { status: 500 });
  }
}
