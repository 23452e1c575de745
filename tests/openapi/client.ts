// A client generated from openapi.json (openapi-typescript's types, used
// through openapi-fetch) against the real server: create an order, read
// it, page through the customer's orders by their Link headers, cancel,
// and read a problem by its type. Compiled with tsc --strict first, so a
// document that does not type the calls below fails the build.
//
//   node client.js SERVER_URL TOKEN_DIR     (customer.token: customer 12345)
import { readFileSync } from 'node:fs';
import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

type Order = components['schemas']['Order'];
type Problem = components['schemas']['Problem'];

const [baseUrl, tokens] = process.argv.slice(2);
if (baseUrl === undefined || tokens === undefined) {
  console.error('usage: node client.js SERVER_URL TOKEN_DIR');
  process.exit(2);
}
const bearer = readFileSync(`${tokens}/customer.token`, 'utf8').trim();
const api = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${bearer}` } });

function check(ok: boolean, what: string): void {
  if (!ok) {
    console.error(`FAIL ${what}`);
    process.exit(1);
  }
  console.log(`ok   ${what}`);
}

// Exact money: the total is the sum of the lines in minor units.
function cents(amount: number): number {
  return Math.round(amount * 100);
}

async function place(quantity: number): Promise<Order> {
  const { data, error, response } = await api.POST('/api/v1/orders', {
    params: { header: { 'Idempotency-Key': `client-${Date.now()}-${quantity}` } },
    body: {
      items: [{ productId: 1, quantity }, { productId: 5, quantity: 1 }],
      deliveryAddress: '123 Main St, City, State 12345',
      customerName: 'Ada Lovelace',
    },
  });
  check(response.status === 201 && data !== undefined, `create answers 201 (${response.status})`);
  if (data === undefined) throw new Error(JSON.stringify(error));
  check(response.headers.get('Location') === `/api/v1/orders/${data.orderId}`, 'create names the order in Location');
  return data;
}

const first = await place(1);
const second = await place(2);
const third = await place(3);
const lines = third.items.reduce(
  (sum: number, item: components['schemas']['OrderItem']) => sum + cents(item.priceAtPurchase ?? 0) * item.quantity,
  0,
);
check(cents(third.totalPrice) === lines, `the total ${third.totalPrice} is the sum of the lines`);
check(third.statusHistory[0]?.from === null, 'the first status change comes from null');

const got = await api.GET('/api/v1/orders/{id}', { params: { path: { id: third.orderNumber } } });
check(got.data?.orderId === third.orderId, 'get by order number finds the order');
check(got.response.headers.get('ETag') === `"${got.data?.version}"`, 'get answers its version as the ETag');

// Paging: follow the Link rel="next" of each page until there is none.
const seen: number[] = [];
let cursor: string | undefined;
for (let page = 0; page < 100; page++) {
  const { data, response } = await api.GET('/api/v1/orders/customer/{customerId}', {
    params: { path: { customerId: 12345 }, query: { limit: 2, cursor } },
  });
  check(data !== undefined, `list page ${page + 1}`);
  for (const summary of data ?? []) seen.push(summary.orderId);
  const link = response.headers.get('Link');
  if (link === null) break;
  const next = /^<([^>]+)>; rel="next"$/.exec(link);
  check(next !== null, 'Link names the next page');
  cursor = new URL(next?.[1] ?? '', baseUrl).searchParams.get('cursor') ?? undefined;
}
for (const order of [first, second, third])
  check(seen.includes(order.orderId), `the pages list order ${order.orderId}`);
check(new Set(seen).size === seen.length, 'no order is listed twice');
check(seen.indexOf(third.orderId) < seen.indexOf(first.orderId), 'newest first');

const cancelled = await api.PUT('/api/v1/orders/{id}/cancel', {
  params: { path: { id: String(third.orderId) }, header: { 'If-Match': `"${third.version}"` } },
});
check(cancelled.response.status === 204, `cancel answers 204 (${cancelled.response.status})`);
const after = await api.GET('/api/v1/orders/{id}', { params: { path: { id: String(third.orderId) } } });
check(after.data?.status === 'CANCELLED', 'the order is CANCELLED');

// A problem is told apart by its type.
const again = await api.PUT('/api/v1/orders/{id}/ship', { params: { path: { id: String(first.orderId) } } });
const problem: Problem | undefined = again.error;
check(again.response.status === 403 && problem?.type === 'https://orders.example/problems/insufficient-scope',
  'shipping as a customer is the insufficient-scope problem');
const missing = await api.GET('/api/v1/orders/{id}', { params: { path: { id: '999999' } } });
check(missing.error?.type === 'https://orders.example/problems/order-not-found', 'an unknown order is order-not-found');
console.log('the generated client works');
