// Test component: exercises fermyon:spin/key-value@2.0.0 through @fermyon/spin-sdk's Kv.
//   GET    /<label>/<key>   200 with the stored bytes, 404 when absent
//   HEAD   /<label>/<key>   200 when the key exists, 404 when not (store.exists)
//   PUT    /<label>/<key>   stores the request body, 204
//   DELETE /<label>/<key>   deletes the key, 204
//   GET    /<label>         200 application/json: the store's keys (getKeys)
// A key-value error (e.g. an ungranted label: access-denied, or no such store) answers 500 with
// "kv error: <error>".
import { Kv } from '@fermyon/spin-sdk';

addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(req) {
  const [label, ...rest] = new URL(req.url).pathname.slice(1).split('/');
  const key = rest.length ? decodeURIComponent(rest.join('/')) : null;
  try {
    const store = Kv.open(decodeURIComponent(label));
    if (key === null) {
      if (req.method !== 'GET') return new Response(null, { status: 405 });
      return new Response(JSON.stringify(store.getKeys()), { headers: { 'content-type': 'application/json' } });
    }
    switch (req.method) {
      case 'GET': {
        const value = store.get(key);
        return value === null ? new Response(null, { status: 404 }) : new Response(value);
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
    return new Response(`kv error: ${e}`, { status: 500 });
  }
}
