-- Flink job for model revenue_per_minute of project shop, compiled by streamt.
-- Materialized flink: stateful SQL (aggregate, group by, window tvf).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.shop.revenue_per_minute';

SET 'parallelism.default' = '2';

SET 'execution.checkpointing.interval' = '30000 ms';

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
  'properties.group.id' = 'streamt.shop.revenue_per_minute',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `revenue_per_minute__output` (
  `window_start` TIMESTAMP(3),
  `window_end` TIMESTAMP(3),
  `orders` BIGINT,
  `revenue` DECIMAL(38, 2)
) WITH (
  'connector' = 'kafka',
  'topic' = 'revenue_per_minute',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `revenue_per_minute__output`
SELECT window_start, window_end, COUNT(*) AS orders, SUM(amount) AS revenue
FROM TABLE(TUMBLE(TABLE `orders_paid`, DESCRIPTOR(ts), INTERVAL '1' MINUTE))
GROUP BY window_start, window_end
;
