-- Flink job for model big_customers of project shop, compiled by streamt.
-- Materialized flink: stateless SQL over a changelog (customer_totals).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.shop.big_customers';

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

CREATE TEMPORARY TABLE `customer_totals` (
  `customer_id` STRING,
  `orders` BIGINT,
  `total` DECIMAL(38, 2),
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'customer_totals',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.shop.big_customers',
  'properties.isolation.level' = 'read_committed',
  'key.format' = 'raw',
  'value.format' = 'json'
);

CREATE TEMPORARY TABLE `big_customers__output` (
  `customer_id` STRING,
  `total` DECIMAL(38, 2),
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'big_customers',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'value.format' = 'json',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `big_customers__output`
SELECT customer_id, total FROM `customer_totals` WHERE total > 1000
;
