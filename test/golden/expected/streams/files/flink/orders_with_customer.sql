-- Flink job for model orders_with_customer of project shop, compiled by streamt.
-- Materialized flink: stateful SQL (regular join).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.shop.orders_with_customer';

RESET 'parallelism.default';

SET 'execution.checkpointing.interval' = '60000 ms';

SET 'execution.checkpointing.externalized-checkpoint-retention' = 'RETAIN_ON_CANCELLATION';

RESET 'execution.checkpointing.dir';

SET 'restart-strategy.type' = 'exponential-delay';

SET 'restart-strategy.exponential-delay.initial-backoff' = '1 s';

SET 'restart-strategy.exponential-delay.max-backoff' = '1 min';

SET 'restart-strategy.exponential-delay.attempts-before-reset-backoff' = '10';

RESET 'restart-strategy.fixed-delay.attempts';

RESET 'restart-strategy.fixed-delay.delay';

RESET 'table.exec.state.ttl';

RESET 'state.backend.type';

CREATE TEMPORARY TABLE `orders_paid` (
  `order_id` STRING,
  `customer_id` STRING,
  `amount` DECIMAL(10, 2),
  `ts` TIMESTAMP(3),
  WATERMARK FOR `ts` AS `ts` - INTERVAL '2.500' SECOND(1, 3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'orders_paid',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.shop.orders_with_customer',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `customers` (
  `customer_id` STRING,
  `name` STRING,
  `country` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'shop.customers',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.shop.orders_with_customer',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `orders_with_customer__output` (
  `order_id` STRING,
  `amount` DECIMAL(10, 2),
  `name` STRING,
  `country` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'orders_with_customer',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'order_id',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `orders_with_customer__output`
SELECT o.order_id, o.amount, c.name, c.country
FROM `orders_paid` AS o
JOIN `customers` AS c ON o.customer_id = c.customer_id
;
