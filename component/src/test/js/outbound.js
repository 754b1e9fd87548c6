// Test component: outbound HTTP (wasi:http/outgoing-handler) through fetch().
// GET /?url=<absolute url> fetches that url with the incoming method and body and relays the upstream's
// status, content-type and body. When fetch fails (e.g. the host is not in allowed_outbound_hosts) it
// answers 502 with "fetch failed: <error>".
addEventListener('fetch', (event) => event.respondWith(relay(event.request)));

async function relay(req) {
  const target = new URL(req.url).searchParams.get('url');
  if (!target) return new Response('missing ?url=', { status: 400 });
  try {
    const init = { method: req.method };
    if (req.method !== 'GET' && req.method !== 'HEAD') init.body = await req.arrayBuffer();
    const upstream = await fetch(target, init);
    const headers = { 'x-upstream-status': String(upstream.status) };
    const type = upstream.headers.get('content-type');
    if (type) headers['content-type'] = type;
    return new Response(await upstream.arrayBuffer(), { status: upstream.status, headers });
  } catch (e) {
    return new Response(`fetch failed: ${e}`, { status: 502 });
  }
}
