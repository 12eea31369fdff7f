-- Flink job for model locked_clean of project schemas_demo, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.schemas_demo.locked_clean';

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

CREATE TEMPORARY TABLE `locked` (
  `payment_id` STRING NOT NULL,
  `card_number` STRING NOT NULL,
  `amount_cents` BIGINT NOT NULL,
  `status` STRING NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'golden.locked',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.schemas_demo.locked_clean',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'avro-confluent.schema' = '{"type":"record","name":"CardPayment","namespace":"payments","fields":[{"name":"payment_id","type":"string"},{"name":"card_number","type":"string"},{"name":"amount_cents","type":"long"},{"name":"status","type":{"type":"enum","name":"Status","symbols":["AUTHORIZED","CAPTURED"]}}]}'
);

CREATE TEMPORARY TABLE `locked_clean__output` (
  `payment_id` STRING,
  `amount_cents` BIGINT,
  `status` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'locked_clean',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'avro-confluent.subject' = 'locked_clean-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `locked_clean__output`
SELECT payment_id, amount_cents, status FROM `locked`
;
