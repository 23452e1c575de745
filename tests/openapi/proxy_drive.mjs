// Drives every operation of openapi.json, with valid and invalid input,
// through a validating proxy (Prism) in front of the real server, and
// reads the violations the proxy reports on each answer (sl-violations).
// Fails on any violation of an answer, on a request violation of a
// request meant to be valid, on a request meant to be invalid that the
// proxy let pass (so the document states that rule), and on an
// unexpected status. Requests the proxy cannot carry (a body that is not
// JSON, HEAD of a JSON answer) go to the server directly and are checked
// here against the document's promises instead.
//
//   node proxy_drive.mjs PROXY_URL SERVER_URL SIM_URL TOKEN_DIR
// TOKEN_DIR holds customer.token (customer 12345), other.token (customer
// 4242) and admin.token (scope orders:admin).
import { readFileSync } from 'node:fs';

const [proxy, server, sim, tokens] = process.argv.slice(2);
if (!tokens) {
  console.error('usage: node proxy_drive.mjs PROXY_URL SERVER_URL SIM_URL TOKEN_DIR');
  process.exit(2);
}
const token = (name) => readFileSync(`${tokens}/${name}.token`, 'utf8').trim();
const CUSTOMER = `Bearer ${token('customer')}`;
const OTHER = `Bearer ${token('other')}`;
const ADMIN = `Bearer ${token('admin')}`;
const TYPE = 'https://orders.example/problems/';

const failures = [];
const expectedRequestViolations = [];
const sent = []; // [method, path without query, status] of every request
let requests = 0;
let responseViolations = 0;

function fail(what) {
  failures.push(what);
  console.log(`FAIL ${what}`);
}

async function send(base, method, path, { auth, body, raw, type, headers = {} } = {}) {
  const h = { ...headers };
  if (auth) h.Authorization = auth;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined) h['Content-Type'] = type ?? 'application/json';
  const res = await fetch(base + path, { method, headers: h, body: payload });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

// One request through the proxy. invalid: the request breaks the document
// on purpose (the proxy must say so); otherwise it must be clean.
async function call(name, method, path, expect, opts = {}) {
  requests++;
  const r = await send(proxy, method, path, opts);
  sent.push([method, path.split('?')[0], r.status]);
  const violations = JSON.parse(r.headers.get('sl-violations') ?? '[]');
  const onRequest = violations.filter((v) => v.location[0] === 'request');
  const onResponse = violations.filter((v) => v.location[0] !== 'request');
  for (const v of onResponse) {
    responseViolations++;
    fail(`${name}: answer ${r.status} breaks the document: ${v.location.join('.')} ${v.message}`);
  }
  if (opts.invalid) {
    if (onRequest.length === 0) fail(`${name}: an invalid request passed the proxy unnoticed`);
    for (const v of onRequest)
      expectedRequestViolations.push(`${name}: ${v.location.join('.')}: ${v.message}`);
  } else {
    for (const v of onRequest) fail(`${name}: request breaks the document: ${v.location.join('.')} ${v.message}`);
  }
  if (r.status !== expect) fail(`${name}: status ${r.status}, expected ${expect}: ${r.text.slice(0, 300)}`);
  if (opts.problem && r.json?.type !== TYPE + opts.problem)
    fail(`${name}: problem type ${r.json?.type}, expected ${TYPE + opts.problem}`);
  if (!r.headers.get('x-request-id')) fail(`${name}: no X-Request-Id`);
  return r;
}

// Straight to the server, for what the proxy cannot carry.
async function direct(name, method, path, expect, problem, opts = {}) {
  requests++;
  const r = await send(server, method, path, opts);
  sent.push([method, path.split('?')[0], r.status]);
  if (r.status !== expect) fail(`${name} (direct): status ${r.status}, expected ${expect}`);
  if (problem) {
    if (r.headers.get('content-type') !== 'application/problem+json') fail(`${name} (direct): not problem+json`);
    if (r.json?.type !== TYPE + problem) fail(`${name} (direct): type ${r.json?.type}`);
  }
  if (!r.headers.get('x-request-id')) fail(`${name} (direct): no X-Request-Id`);
  return r;
}

async function simulator(method, path, body) {
  const r = await fetch(sim + path, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  if (r.status >= 300) throw new Error(`simulator ${method} ${path}: ${r.status}`);
}

const order = (extra = {}) => ({
  items: [{ productId: 1, quantity: 2 }, { productId: 5, quantity: 1 }],
  deliveryAddress: '123 Main St, City, State 12345',
  customerName: 'Ada Lovelace',
  carrier: 'DHL',
  ...extra,
});

async function orders() {
  await simulator('POST', '/sim/reset');
  const key = { 'Idempotency-Key': `drive-${Date.now()}` };
  const placed = await call('create', 'POST', '/api/v1/orders', 201, { auth: CUSTOMER, body: order(), headers: key });
  const id = placed.json.orderId;
  const number = placed.json.orderNumber;
  await call('create replayed', 'POST', '/api/v1/orders', 201, { auth: CUSTOMER, body: order(), headers: key });
  await call('create, key reused', 'POST', '/api/v1/orders', 422,
    { auth: CUSTOMER, body: order({ carrier: 'UPS' }), headers: key, problem: 'idempotency-key-mismatch' });
  await call('create, invalid key', 'POST', '/api/v1/orders', 400,
    { auth: CUSTOMER, body: order(), headers: { 'Idempotency-Key': 'k'.repeat(300) }, invalid: true, problem: 'invalid-idempotency-key' });
  await call('create, broken rules', 'POST', '/api/v1/orders', 400, {
    auth: CUSTOMER, invalid: true, problem: 'validation-failed',
    body: { items: [{ productId: 1, quantity: 0 }], deliveryAddress: '' },
  });
  await call('create, no items', 'POST', '/api/v1/orders', 400,
    { auth: CUSTOMER, body: { deliveryAddress: 'x' }, invalid: true, problem: 'validation-failed' });
  await call('create, unknown product', 'POST', '/api/v1/orders', 400,
    { auth: CUSTOMER, body: order({ items: [{ productId: 99, quantity: 1 }] }), problem: 'unknown-product' });
  await call('create, short stock', 'POST', '/api/v1/orders', 400,
    { auth: CUSTOMER, body: order({ items: [{ productId: 2, quantity: 5000 }] }), problem: 'insufficient-stock' });
  await call('create, text body', 'POST', '/api/v1/orders', 415,
    { auth: CUSTOMER, raw: 'hello', type: 'text/plain', invalid: true, problem: 'unsupported-media-type' });
  await call('create, body over 64 KiB', 'POST', '/api/v1/orders', 413,
    { auth: CUSTOMER, body: order({ deliveryAddress: 'x'.repeat(70000) }), invalid: true, problem: 'payload-too-large' });
  await direct('create, malformed JSON', 'POST', '/api/v1/orders', 400, 'malformed-json', { auth: CUSTOMER, raw: '{"items":[' });
  await call('create, no token', 'POST', '/api/v1/orders', 401, { body: order(), invalid: true, problem: 'unauthorized' });
  await call('create, refused token', 'POST', '/api/v1/orders', 401,
    { auth: 'Bearer not.a.token', body: order(), problem: 'unauthorized' });
  await call('create, another customer', 'POST', '/api/v1/orders', 403,
    { auth: OTHER, body: order({ customerId: 12345 }), problem: 'forbidden' });
  await call('create, restricted account', 'POST', '/api/v1/orders', 403,
    { auth: ADMIN, body: order({ customerId: 666 }), problem: 'account-restricted' });
  await call('create, ineligible account', 'POST', '/api/v1/orders', 403,
    { auth: ADMIN, body: order({ customerId: 777 }), problem: 'account-ineligible' });
  await call('create for a customer, by an operator', 'POST', '/api/v1/orders', 201,
    { auth: ADMIN, body: order({ customerId: 42 }) });

  await simulator('PUT', '/sim/faults', { service: 'tracking', mode: 'error' });
  const pending = await call('create, tracking down', 'POST', '/api/v1/orders', 201, { auth: CUSTOMER, body: order() });
  if (!pending.json?.warnings?.length || pending.json.trackingNumber !== null) fail('create, tracking down: no warning');
  await simulator('PUT', '/sim/faults', { service: 'all', mode: 'ok' });
  await simulator('PUT', '/sim/faults', { service: 'inventory', mode: 'error' });
  await call('create, inventory down', 'POST', '/api/v1/orders', 503,
    { auth: CUSTOMER, body: order(), problem: 'inventory-unavailable' });
  await simulator('PUT', '/sim/faults', { service: 'all', mode: 'ok' });
  await simulator('PUT', '/sim/faults', { service: 'catalog', mode: 'error' });
  await call('create, catalog down', 'POST', '/api/v1/orders', 503,
    { auth: CUSTOMER, body: order(), problem: 'service-unavailable' });
  await simulator('PUT', '/sim/faults', { service: 'all', mode: 'ok' });
  // The catalog prices in euros, in yen (no decimals), and wrongly (1.25
  // in a currency without minor units).
  await simulator('PUT', '/sim/catalog', {
    products: [
      { productId: 1, name: 'Keyboard', price: 99.99, currency: 'USD', available: 100 },
      { productId: 2, name: 'Mouse', price: 19.5, currency: 'EUR', available: 100 },
      { productId: 3, name: 'Yen', price: 1200, currency: 'JPY', available: 100 },
      { productId: 4, name: 'Odd', price: 1.25, currency: 'BIF', available: 100 },
    ],
  });
  await call('create, two currencies', 'POST', '/api/v1/orders', 422, {
    auth: CUSTOMER, problem: 'several-currencies',
    body: order({ items: [{ productId: 1, quantity: 1 }, { productId: 2, quantity: 1 }] }),
  });
  await call('create, unpriceable product', 'POST', '/api/v1/orders', 422,
    { auth: CUSTOMER, body: order({ items: [{ productId: 4, quantity: 1 }] }), problem: 'product-cannot-be-priced' });
  const yen = await call('create in a currency without decimals', 'POST', '/api/v1/orders', 201,
    { auth: CUSTOMER, body: order({ items: [{ productId: 3, quantity: 2 }] }) });
  if (yen.json?.currency !== 'JPY' || !/"totalPrice":2400,/.test(yen.text)) fail('JPY total not 2400');
  await simulator('POST', '/sim/reset');

  await call('get by id', 'GET', `/api/v1/orders/${id}`, 200, { auth: CUSTOMER });
  await call('get by number', 'GET', `/api/v1/orders/${number}`, 200, { auth: CUSTOMER });
  const head = await direct('HEAD of an order', 'HEAD', `/api/v1/orders/${id}`, 200, null, { auth: CUSTOMER });
  if (head.text !== '' || !head.headers.get('etag')) fail('HEAD of an order: a body, or no ETag');
  await call('get, unknown', 'GET', '/api/v1/orders/999999', 404, { auth: CUSTOMER, problem: 'order-not-found' });
  await call('get, neither id nor number', 'GET', '/api/v1/orders/abc', 404, { auth: CUSTOMER, problem: 'order-not-found' });
  await call("get, another customer's", 'GET', `/api/v1/orders/${id}`, 404, { auth: OTHER, problem: 'order-not-found' });
  await call('get, no token', 'GET', `/api/v1/orders/${id}`, 401, { invalid: true, problem: 'unauthorized' });

  // Paging: one order a page, following Link until it ends.
  let next = '/api/v1/orders/customer/12345?limit=1';
  let pages = 0;
  while (next && pages < 50) {
    const page = await call(`list, page ${pages + 1}`, 'GET', next, 200, { auth: CUSTOMER });
    pages++;
    const link = page.headers.get('link');
    next = link ? /^<([^>]+)>; rel="next"$/.exec(link)?.[1] : null;
    if (link && !next) fail(`list: Link not in the documented form: ${link}`);
  }
  if (pages < 3) fail(`list: only ${pages} pages`);
  await call('list, status filter', 'GET', '/api/v1/orders/customer/12345?status=CONFIRMED&limit=100', 200, { auth: CUSTOMER });
  await call('list, limit 0', 'GET', '/api/v1/orders/customer/12345?limit=0', 400,
    { auth: CUSTOMER, invalid: true, problem: 'validation-failed' });
  await call('list, unknown status', 'GET', '/api/v1/orders/customer/12345?status=LOST', 400,
    { auth: CUSTOMER, invalid: true, problem: 'validation-failed' });
  await call('list, forged cursor', 'GET', '/api/v1/orders/customer/12345?cursor=forged', 400,
    { auth: CUSTOMER, problem: 'validation-failed' });
  await call("list, another customer's", 'GET', '/api/v1/orders/customer/12345', 403, { auth: OTHER, problem: 'forbidden' });
  await call('list, customer not a number', 'GET', '/api/v1/orders/customer/abc', 404,
    { auth: ADMIN, invalid: true, problem: 'not-found' });
  await call('list, no orders', 'GET', '/api/v1/orders/customer/31337', 200, { auth: ADMIN });

  // Status changes.
  const ship = await call('create to ship', 'POST', '/api/v1/orders', 201, { auth: CUSTOMER, body: order() });
  const sid = ship.json.orderId;
  await call('ship, as a customer', 'PUT', `/api/v1/orders/${sid}/ship`, 403, { auth: CUSTOMER, problem: 'insufficient-scope' });
  await call('ship, stale If-Match', 'PUT', `/api/v1/orders/${sid}/ship`, 412,
    { auth: ADMIN, headers: { 'If-Match': '"1"' }, problem: 'precondition-failed' });
  await call('deliver, not shipped', 'PUT', `/api/v1/orders/${sid}/deliver`, 409,
    { auth: ADMIN, problem: 'invalid-status-transition' });
  await call('ship', 'PUT', `/api/v1/orders/${sid}/ship`, 204, { auth: ADMIN, headers: { 'If-Match': `"${ship.json.version}"` } });
  await call('ship again', 'PUT', `/api/v1/orders/${sid}/ship`, 204, { auth: ADMIN });
  await call('cancel, shipped', 'PUT', `/api/v1/orders/${sid}/cancel`, 409, { auth: CUSTOMER, problem: 'invalid-status-transition' });
  await call('deliver, as a customer', 'PUT', `/api/v1/orders/${sid}/deliver`, 403,
    { auth: CUSTOMER, problem: 'insufficient-scope' });
  await call('deliver', 'PUT', `/api/v1/orders/${sid}/deliver`, 204, { auth: ADMIN });
  await call('deliver, unknown', 'PUT', '/api/v1/orders/999999/deliver', 404, { auth: ADMIN, problem: 'order-not-found' });
  await call('cancel', 'PUT', `/api/v1/orders/${id}/cancel`, 204, { auth: CUSTOMER });
  await call('cancel again', 'PUT', `/api/v1/orders/${number}/cancel`, 204, { auth: CUSTOMER });
  await call("cancel, another customer's", 'PUT', `/api/v1/orders/${id}/cancel`, 404, { auth: OTHER, problem: 'order-not-found' });
  await call('cancel, no token', 'PUT', `/api/v1/orders/${id}/cancel`, 401, { invalid: true, problem: 'unauthorized' });
  await call('cancel, body over 64 KiB', 'PUT', `/api/v1/orders/${id}/cancel`, 413,
    { auth: CUSTOMER, raw: 'x'.repeat(70000), type: 'text/plain', invalid: true, problem: 'payload-too-large' });
}

async function drafts() {
  const guest = await call('draft, guest', 'POST', '/api/v1/orders/drafts', 201, { body: {} });
  const gid = guest.json.orderId;
  const gt = guest.json.guestToken;
  if (typeof gt !== 'string') fail('draft, guest: no guestToken issued');
  const path = `/api/v1/orders/${gid}`;
  await call('checkout, empty draft', 'POST', `${path}/checkout`, 400,
    { body: { guestToken: gt, deliveryAddress: '9 Guest Rd' }, problem: 'draft-empty' });
  await call('draft line', 'PUT', `${path}/items`, 200, { body: { productId: 2, quantity: 3, guestToken: gt } });
  await call('draft line, wrong token', 'PUT', `${path}/items`, 401,
    { body: { productId: 2, quantity: 1, guestToken: 'Zq3xV9pL2mT7wR4kY8nB1cD6' }, problem: 'draft-owner-mismatch' });
  await call('draft line, no proof', 'PUT', `${path}/items`, 401,
    { body: { productId: 2, quantity: 1 }, problem: 'draft-owner-mismatch' });
  await call('draft line, quantity too big', 'PUT', `${path}/items`, 400,
    { body: { productId: 2, quantity: 20000, guestToken: gt }, invalid: true, problem: 'validation-failed' });
  await call("draft line, a customer at a guest's draft", 'PUT', `${path}/items`, 404,
    { auth: CUSTOMER, body: { productId: 2, quantity: 1 }, problem: 'order-not-found' });
  await call('draft, weak guest token', 'POST', '/api/v1/orders/drafts', 400,
    { body: { guestToken: 'short' }, invalid: true, problem: 'validation-failed' });
  await call('draft, both owners', 'POST', '/api/v1/orders/drafts', 400,
    { auth: ADMIN, body: { customerId: 12345, guestToken: 'Zq3xV9pL2mT7wR4kY8nB1cD6' }, invalid: true, problem: 'validation-failed' });
  await call('draft, a guest naming a customer', 'POST', '/api/v1/orders/drafts', 401,
    { body: { customerId: 12345 }, problem: 'unauthorized' });
  await call('draft, a customer naming another', 'POST', '/api/v1/orders/drafts', 403,
    { auth: CUSTOMER, body: { customerId: 4242 }, problem: 'forbidden' });
  await call('checkout, no address', 'POST', `${path}/checkout`, 400,
    { body: { guestToken: gt }, invalid: true, problem: 'validation-failed' });
  await call('checkout', 'POST', `${path}/checkout`, 201,
    { body: { guestToken: gt, deliveryAddress: '9 Guest Rd', customerName: 'Guest' }, headers: { 'Idempotency-Key': `guest-${gid}` } });
  await call('checkout, not a draft', 'POST', `${path}/checkout`, 400,
    { body: { guestToken: gt, deliveryAddress: '9 Guest Rd' }, problem: 'not-in-draft-state' });
  await call('draft line, not a draft', 'PUT', `${path}/items`, 409,
    { body: { productId: 2, quantity: 1, guestToken: gt }, problem: 'not-in-draft-state' });
  await call('checkout, unknown draft', 'POST', '/api/v1/orders/999999/checkout', 404,
    { body: { guestToken: gt, deliveryAddress: 'x' }, problem: 'order-not-found' });

  const mine = await call("draft, a customer's", 'POST', '/api/v1/orders/drafts', 201,
    { auth: CUSTOMER, body: { customerId: 12345, items: [{ productId: 1, quantity: 1 }] } });
  const mpath = `/api/v1/orders/${mine.json.orderNumber}`;
  await call("draft line, another customer's draft", 'PUT', `${mpath}/items`, 404,
    { auth: OTHER, body: { productId: 1, quantity: 2 }, problem: 'order-not-found' });
  await call("draft line, the customer's token", 'PUT', `${mpath}/items`, 200,
    { auth: CUSTOMER, body: { productId: 5, quantity: 1 } });
  const checkoutKey = { 'Idempotency-Key': `checkout-${mine.json.orderId}` };
  await call("checkout, a customer's draft", 'POST', `${mpath}/checkout`, 201,
    { auth: CUSTOMER, body: { customerId: 12345, deliveryAddress: '1 Road' }, headers: checkoutKey });
  await call('checkout, key reused', 'POST', `${mpath}/checkout`, 422,
    { auth: CUSTOMER, body: { deliveryAddress: '2 Road' }, headers: checkoutKey, problem: 'idempotency-key-mismatch' });
}

async function operations() {
  await call('live', 'GET', '/health/live', 200);
  await call('ready', 'GET', '/health/ready', 200);
  await call('metrics', 'GET', '/metrics', 200);
  await call('openapi', 'GET', '/openapi.json', 200);
  await call('unknown route', 'GET', '/api/v1/nothing', 404, { invalid: true, problem: 'not-found' });
  // HEAD: the same status and headers as GET, no body (straight to the
  // server: Prism 5 parses the empty body of a JSON answer and fails).
  for (const [path, auth] of [['/health/live'], ['/health/ready'], ['/metrics'], ['/openapi.json'],
    ['/api/v1/orders/1', CUSTOMER], ['/api/v1/orders/customer/12345?limit=1', CUSTOMER],
    ['/api/v1/orders/999999', CUSTOMER], ['/api/v1/orders/1', undefined]]) {
    const get = await send(server, 'GET', path, { auth });
    const head = await direct(`HEAD ${path}`, 'HEAD', path, get.status, null, { auth });
    if (head.text !== '') fail(`HEAD ${path}: a body`);
    for (const name of ['content-type', 'etag', 'link', 'www-authenticate', 'cache-control'])
      if ((get.headers.get(name) === null) !== (head.headers.get(name) === null)) fail(`HEAD ${path}: ${name} differs from GET`);
  }
}

// Every operation of the served document was driven: a request whose
// method and path fit it (a literal path wins over a template).
async function coverage() {
  const doc = await (await fetch(`${server}/openapi.json`)).json();
  const templates = Object.keys(doc.paths);
  const fits = (template, path) =>
    new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path);
  const owner = (path) => templates.find((t) => t === path) ?? templates.find((t) => fits(t, path));
  for (const template of templates) {
    for (const method of Object.keys(doc.paths[template])) {
      if (!doc.paths[template][method]?.responses) continue;
      const statuses = sent
        .filter(([m, path]) => m === method.toUpperCase() && owner(path) === template)
        .map(([, , status]) => status);
      if (statuses.length === 0) fail(`${method.toUpperCase()} ${template}: never driven`);
      else console.log(`${method.toUpperCase().padEnd(5)} ${template.padEnd(38)} ${[...new Set(statuses)].sort().join(' ')}`);
    }
  }
}

await operations();
await orders();
await drafts();
await coverage();

console.log(`\n${requests} requests; ${responseViolations} answers broke the document`);
console.log(`${expectedRequestViolations.length} request violations, each on a request invalid on purpose:`);
for (const v of expectedRequestViolations) console.log(`  ${v}`);
console.log(`${failures.length} failures`);
process.exit(failures.length === 0 ? 0 : 1);
