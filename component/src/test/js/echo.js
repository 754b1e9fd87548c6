// Test component: echoes the request it was given (wasi:http/incoming-handler, no other Spin interface).
// Answers 200 application/json: {"method","url","headers":[[name,value],...],"body"} where body is the
// request body decoded as UTF-8. The method also comes back in the x-echo-method header.
addEventListener('fetch', (event) => event.respondWith(echo(event.request)));

async function echo(req) {
  const body = new TextDecoder().decode(await req.arrayBuffer());
  const headers = [];
  req.headers.forEach((value, name) => headers.push([name, value]));
  return new Response(JSON.stringify({ method: req.method, url: req.url, headers, body }), {
    status: 200,
    headers: { 'content-type': 'application/json', 'x-echo-method': req.method },
  });
}
