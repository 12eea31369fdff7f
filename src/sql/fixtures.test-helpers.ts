/** Input schemas shared by the analyser tests and the corpus (shapes from Flink's documentation examples). */
import type { InputTable } from './index.js';

export const INPUTS: Record<string, InputTable> = {
  orders: {
    columns: [
      { name: 'order_id', type: 'BIGINT NOT NULL' },
      { name: 'customer_id', type: 'BIGINT' },
      { name: 'product_id', type: 'STRING' },
      { name: 'amount', type: 'DECIMAL(10, 2)' },
      { name: 'quantity', type: 'INT' },
      { name: 'status', type: 'STRING' },
      { name: 'currency', type: 'STRING' },
      { name: 'order_time', type: 'TIMESTAMP(3)' },
    ],
    timeAttribute: { column: 'order_time', kind: 'rowtime' },
  },
  clicks: {
    columns: [
      { name: 'user_id', type: 'BIGINT' },
      { name: 'url', type: 'STRING' },
      { name: 'customer_id', type: 'BIGINT' },
      { name: 'proc_time', type: 'TIMESTAMP_LTZ(3)' },
    ],
    timeAttribute: { column: 'proc_time', kind: 'proctime' },
  },
  customers: {
    columns: [
      { name: 'customer_id', type: 'BIGINT NOT NULL' },
      { name: 'name', type: 'STRING' },
      { name: 'country', type: 'STRING' },
      { name: 'update_time', type: 'TIMESTAMP(3)' },
    ],
    timeAttribute: { column: 'update_time', kind: 'rowtime' },
    primaryKey: ['customer_id'],
  },
  currency_rates: {
    columns: [
      { name: 'currency', type: 'STRING NOT NULL' },
      { name: 'conversion_rate', type: 'DECIMAL(32, 2)' },
      { name: 'update_time', type: 'TIMESTAMP(3)' },
    ],
    timeAttribute: { column: 'update_time', kind: 'rowtime' },
    primaryKey: ['currency'],
  },
  shipments: {
    columns: [
      { name: 'shipment_id', type: 'BIGINT' },
      { name: 'order_id', type: 'BIGINT' },
      { name: 'ship_time', type: 'TIMESTAMP(3)' },
    ],
    timeAttribute: { column: 'ship_time', kind: 'rowtime' },
  },
  Bid: {
    columns: [
      { name: 'bidtime', type: 'TIMESTAMP(3)' },
      { name: 'price', type: 'DECIMAL(10, 2)' },
      { name: 'item', type: 'STRING' },
      { name: 'supplier_id', type: 'STRING' },
    ],
    timeAttribute: { column: 'bidtime', kind: 'rowtime' },
  },
  Ticker: {
    columns: [
      { name: 'symbol', type: 'STRING' },
      { name: 'price', type: 'BIGINT' },
      { name: 'tax', type: 'BIGINT' },
      { name: 'rowtime', type: 'TIMESTAMP(3)' },
    ],
    timeAttribute: { column: 'rowtime', kind: 'rowtime' },
  },
  'payments.v1': {
    columns: [
      { name: 'payment_id', type: 'STRING NOT NULL' },
      { name: 'card_id', type: 'STRING' },
      { name: 'amount', type: 'DOUBLE' },
      { name: 'details', type: 'ROW<merchant STRING, mcc INT>' },
      { name: 'tags', type: 'ARRAY<STRING>' },
      { name: 'attributes', type: 'MAP<STRING, INT>' },
      { name: 'event_time', type: 'TIMESTAMP_LTZ(3)' },
    ],
    timeAttribute: { column: 'event_time', kind: 'rowtime' },
  },
  'orders-eu': { columns: [], timeAttribute: { column: 'ts', kind: 'rowtime' } },
  customer_totals: {
    columns: [
      { name: 'customer_id', type: 'BIGINT NOT NULL' },
      { name: 'total', type: 'DECIMAL(38, 2)' },
    ],
    changelog: 'updating',
    primaryKey: ['customer_id'],
  },
};
