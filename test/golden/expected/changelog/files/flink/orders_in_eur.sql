-- Flink job for model orders_in_eur of project changelog_demo, compiled by streamt.
-- Materialized flink: stateful SQL (temporal join).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.orders_in_eur';

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

CREATE TEMPORARY TABLE `orders` (
  `order_id` STRING,
  `customer_id` STRING,
  `currency` STRING,
  `amount` DECIMAL(10, 2),
  `order_time` TIMESTAMP(3),
  WATERMARK FOR `order_time` AS `order_time` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'shop.orders',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.orders_in_eur',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `rates` (
  `currency` STRING,
  `rate` DECIMAL(10, 4),
  `valid_from` TIMESTAMP(3),
  WATERMARK FOR `valid_from` AS `valid_from`,
  PRIMARY KEY (`currency`) NOT ENFORCED
) WITH (
  'connector' = 'upsert-kafka',
  'topic' = 'fx.rates',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.orders_in_eur',
  'properties.isolation.level' = 'read_committed',
  'scan.watermark.idle-timeout' = '30 s',
  'key.format' = 'raw',
  'value.format' = 'json'
);

CREATE TEMPORARY TABLE `orders_in_eur__output` (
  `order_id` STRING,
  `customer_id` STRING,
  `amount_eur` DECIMAL(21, 6),
  `order_time` TIMESTAMP(3)
) WITH (
  'connector' = 'kafka',
  'topic' = 'orders_in_eur',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'order_id',
  'value.format' = 'avro-confluent',
  'value.avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'value.avro-confluent.subject' = 'orders_in_eur-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `orders_in_eur__output`
SELECT o.order_id, o.customer_id, o.amount * r.rate AS amount_eur, o.order_time
FROM `orders` AS o
JOIN `rates` FOR SYSTEM_TIME AS OF o.order_time AS r
  ON o.currency = r.currency
;
