-- Flink job for model customer_totals of project shop, compiled by streamt.
-- Materialized flink: stateful SQL (aggregate, group by).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.shop.customer_totals';

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

SET 'table.exec.state.ttl' = '86400000 ms';

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
  'properties.group.id' = 'streamt.shop.customer_totals',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `customer_totals__output` (
  `customer_id` STRING,
  `orders` BIGINT,
  `total` DECIMAL(38, 2),
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'customer_totals',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `customer_totals__output`
SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS total
FROM `orders_paid`
GROUP BY customer_id
;
