-- Flink job for model orders_by_country of project changelog_demo, compiled by streamt.
-- Materialized flink: stateful SQL (temporal join).
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.changelog_demo.orders_by_country';

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

CREATE TEMPORARY TABLE `customers_cdc` (
  `customer_id` STRING,
  `name` STRING,
  `country` STRING,
  `updated_at` TIMESTAMP(3),
  WATERMARK FOR `updated_at` AS `updated_at` - INTERVAL '5' SECOND,
  PRIMARY KEY (`customer_id`) NOT ENFORCED
) WITH (
  'connector' = 'kafka',
  'topic' = 'crm.public.customers',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.changelog_demo.orders_by_country',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'scan.watermark.idle-timeout' = '30 s',
  'format' = 'debezium-json',
  'debezium-json.schema-include' = 'true'
);

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
  'properties.group.id' = 'streamt.changelog_demo.orders_by_country',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json'
);

CREATE TEMPORARY TABLE `orders_by_country__output` (
  `order_id` STRING,
  `country` STRING,
  `amount` DECIMAL(10, 2)
) WITH (
  'connector' = 'kafka',
  'topic' = 'orders_by_country',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'avro-confluent.subject' = 'orders_by_country-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `orders_by_country__output`
SELECT o.order_id, c.country, o.amount
FROM `orders` AS o
LEFT JOIN `customers_cdc` FOR SYSTEM_TIME AS OF o.order_time AS c
  ON o.customer_id = c.customer_id
;
