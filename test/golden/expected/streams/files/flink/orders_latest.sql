-- Flink job for model orders_latest of project shop, compiled by streamt.
-- Materialized flink: stateful SQL (deduplication).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.shop.orders_latest';

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

CREATE TEMPORARY TABLE `orders_raw` (
  `order_id` STRING,
  `customer_id` STRING,
  `amount` DECIMAL(10, 2),
  `status` STRING,
  `ts` TIMESTAMP(3),
  WATERMARK FOR `ts` AS `ts` - INTERVAL '2.500' SECOND(1, 3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'shop.orders.raw',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.shop.orders_latest',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `orders_latest__output` (
  `order_id` STRING,
  `customer_id` STRING,
  `amount` DECIMAL(10, 2),
  `status` STRING,
  `ts` TIMESTAMP(3),
  PRIMARY KEY (`order_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'orders_latest',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `orders_latest__output`
SELECT order_id, customer_id, amount, status, ts
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY ts DESC) AS rn
  FROM `orders_raw`
)
WHERE rn = 1
;
