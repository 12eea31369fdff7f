-- Flink job for model avro_times_flat of project schemas_demo, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.schemas_demo.avro_times_flat';

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

CREATE TEMPORARY TABLE `avro_times` (
  `id` STRING NOT NULL,
  `t_ms` TIME(0) NOT NULL,
  `t_us` TIME(0) NOT NULL,
  `ts_us` BIGINT NOT NULL,
  `day` DATE NOT NULL
) WITH (
  'connector' = 'kafka',
  'topic' = 'golden.avro_times',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.schemas_demo.avro_times_flat',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7'
);

CREATE TEMPORARY TABLE `avro_times_flat__output` (
  `id` STRING,
  `t_ms` TIME(0),
  `t_us` TIME(0),
  `ts_us` BIGINT,
  `day` DATE
) WITH (
  'connector' = 'kafka',
  'topic' = 'avro_times_flat',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'avro-confluent.subject' = 'avro_times_flat-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `avro_times_flat__output`
SELECT id, t_ms, t_us, ts_us, `day` FROM `avro_times`
;
