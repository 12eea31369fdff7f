-- Flink job for model json_flat of project schemas_demo, compiled by streamt.
-- Materialized flink: declared with materialized:.
-- Run the whole script in a fresh SQL Gateway session; its SET and RESET statements apply to this job only.

SET 'pipeline.name' = 'streamt.schemas_demo.json_flat';

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

CREATE TEMPORARY TABLE `json_all` (
  `id` STRING NOT NULL,
  `event_at` TIMESTAMP_LTZ(3) NOT NULL,
  `day` DATE,
  `clock` TIME(0),
  `amount` BIGINT NOT NULL,
  `ratio` DOUBLE,
  `ok` BOOLEAN,
  `raw` BYTES,
  `status` STRING,
  `tags` ARRAY<STRING>,
  `counts` MAP<STRING, BIGINT>,
  `payload` ROW<`currency` STRING, `lines` ARRAY<ROW<`sku` STRING, `qty` BIGINT>>>,
  `free` MAP<STRING, STRING>,
  WATERMARK FOR `event_at` AS `event_at` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'golden.json_all',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.schemas_demo.json_flat',
  'properties.isolation.level' = 'read_committed',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'format' = 'json',
  'json.timestamp-format.standard' = 'ISO-8601'
);

CREATE TEMPORARY TABLE `json_flat__output` (
  `window_start` TIMESTAMP(3),
  `window_end` TIMESTAMP(3),
  `n` BIGINT,
  `amount` BIGINT,
  `ratio` DOUBLE
) WITH (
  'connector' = 'kafka',
  'topic' = 'json_flat',
  'properties.bootstrap.servers' = 'localhost:9092',
  'format' = 'avro-confluent',
  'avro-confluent.url' = 'http://localhost:8081/apis/ccompat/v7',
  'avro-confluent.subject' = 'json_flat-value',
  'sink.delivery-guarantee' = 'at-least-once'
);

INSERT INTO `json_flat__output`
SELECT window_start, window_end, COUNT(*) AS n, SUM(amount) AS amount, MAX(ratio) AS ratio
FROM TABLE(TUMBLE(TABLE `json_all`, DESCRIPTOR(event_at), INTERVAL '1' MINUTE))
WHERE payload.currency = 'EUR' AND CARDINALITY(tags) > 0 AND counts['a'] > 0 AND (ok IS NULL OR ok)
  AND `day` IS NOT NULL AND clock IS NOT NULL AND `raw` IS NOT NULL AND status <> 'DONE'
  AND CARDINALITY(payload.lines) > 0 AND `free`['k'] IS NOT NULL
GROUP BY window_start, window_end
;
