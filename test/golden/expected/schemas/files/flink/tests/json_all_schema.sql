-- Continuous test json_all_schema on json_all (project schemas_demo), compiled by streamt.
-- Violations go to topic _streamt_violations.schemas_demo.
-- Run the whole script in a fresh SQL Gateway session.

SET 'pipeline.name' = 'streamt.schemas_demo.test.json_all_schema';

SET 'table.local-time-zone' = 'UTC';

RESET 'parallelism.default';

RESET 'execution.checkpointing.interval';

RESET 'table.exec.state.ttl';

CREATE TEMPORARY TABLE `_streamt_in` (
  `_streamt_key` STRING,
  `_streamt_value` STRING,
  `_streamt_partition` INT METADATA FROM 'partition' VIRTUAL,
  `_streamt_offset` BIGINT METADATA FROM 'offset' VIRTUAL,
  `_streamt_ts` TIMESTAMP_LTZ(3) METADATA FROM 'timestamp' VIRTUAL,
  `_streamt_rt` AS COALESCE(COALESCE(CASE WHEN REGEXP(JSON_VALUE(`_streamt_value`, '$[''event_at'']'), '^[0-9]+$') THEN TO_TIMESTAMP_LTZ(TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''event_at'']') AS BIGINT), 3) END, CAST(TRY_CAST(REPLACE(REPLACE(JSON_VALUE(`_streamt_value`, '$[''event_at'']'), 'T', ' '), 'Z', '') AS TIMESTAMP(3)) AS TIMESTAMP_LTZ(3))), `_streamt_ts`),
  WATERMARK FOR `_streamt_rt` AS `_streamt_rt` - INTERVAL '5' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'golden.json_all',
  'properties.bootstrap.servers' = 'localhost:9092',
  'properties.group.id' = 'streamt.schemas_demo.test.json_all_schema',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  'scan.watermark.idle-timeout' = '30 s',
  'key.format' = 'raw',
  'key.fields' = '_streamt_key',
  'value.fields-include' = 'EXCEPT_KEY',
  'value.format' = 'raw'
);

CREATE TEMPORARY VIEW `_streamt_rows` AS
SELECT `_streamt_key`,
  `_streamt_value`,
  `_streamt_partition`,
  `_streamt_offset`,
  `_streamt_ts`,
  `_streamt_rt`,
  JSON_VALUE(`_streamt_value`, '$[''id'']') AS `id`,
  JSON_VALUE(`_streamt_value`, '$[''event_at'']') AS `event_at`,
  JSON_VALUE(`_streamt_value`, '$[''day'']') AS `day`,
  JSON_VALUE(`_streamt_value`, '$[''clock'']') AS `clock`,
  JSON_VALUE(`_streamt_value`, '$[''amount'']') AS `amount`,
  JSON_VALUE(`_streamt_value`, '$[''ratio'']') AS `ratio`,
  JSON_VALUE(`_streamt_value`, '$[''ok'']') AS `ok`,
  JSON_VALUE(`_streamt_value`, '$[''raw'']') AS `raw`,
  JSON_VALUE(`_streamt_value`, '$[''status'']') AS `status`,
  JSON_QUERY(`_streamt_value`, '$[''tags'']') AS `tags`,
  JSON_QUERY(`_streamt_value`, '$[''counts'']') AS `counts`,
  JSON_QUERY(`_streamt_value`, '$[''payload'']') AS `payload`,
  JSON_QUERY(`_streamt_value`, '$[''free'']') AS `free`
FROM `_streamt_in`;

CREATE TEMPORARY VIEW `_streamt_typed` AS
SELECT `_streamt_key`,
  `_streamt_value`,
  `_streamt_partition`,
  `_streamt_offset`,
  `_streamt_ts`,
  `_streamt_rt`,
  TRY_CAST(`id` AS STRING) AS `id`,
  TRY_CAST(`event_at` AS TIMESTAMP_LTZ(3)) AS `event_at`,
  TRY_CAST(`day` AS DATE) AS `day`,
  TRY_CAST(`clock` AS TIME(0)) AS `clock`,
  TRY_CAST(`amount` AS BIGINT) AS `amount`,
  TRY_CAST(`ratio` AS DOUBLE) AS `ratio`,
  TRY_CAST(`ok` AS BOOLEAN) AS `ok`,
  TRY_CAST(`raw` AS BYTES) AS `raw`,
  TRY_CAST(`status` AS STRING) AS `status`,
  `tags`,
  `counts`,
  `payload`,
  `free`
FROM `_streamt_rows`;

CREATE TEMPORARY TABLE `_streamt_violations` (
  `test` STRING,
  `assertion` STRING,
  `assertion_index` INT,
  `record_key` STRING,
  `details` STRING,
  `record_partition` INT,
  `record_offset` BIGINT,
  `record_timestamp` TIMESTAMP_LTZ(3),
  `detected_at` TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = '_streamt_violations.schemas_demo',
  'properties.bootstrap.servers' = 'localhost:9092',
  'key.format' = 'raw',
  'key.fields' = 'test',
  'value.format' = 'json'
);

INSERT INTO `_streamt_violations`
SELECT 'json_all_schema', 'schema', 0, `_streamt_key`, CASE WHEN NOT (`_streamt_value` IS JSON OBJECT) THEN 'the value is not a JSON object' ELSE CONCAT_WS('; ', CASE WHEN (JSON_VALUE(`_streamt_value`, '$[''id'']') IS NULL AND JSON_QUERY(`_streamt_value`, '$[''id'']') IS NULL) THEN 'id is missing or null (declared STRING NOT NULL)' END, CASE WHEN (JSON_VALUE(`_streamt_value`, '$[''event_at'']') IS NULL AND JSON_QUERY(`_streamt_value`, '$[''event_at'']') IS NULL) THEN 'event_at is missing or null (declared TIMESTAMP_LTZ(3) NOT NULL)' END, CASE WHEN (JSON_QUERY(`_streamt_value`, '$[''event_at'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''event_at'']') IS NOT NULL AND TRY_CAST(REPLACE(REPLACE(JSON_VALUE(`_streamt_value`, '$[''event_at'']'), 'T', ' '), 'Z', '') AS TIMESTAMP(3)) IS NULL)) THEN 'event_at = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''event_at'']'), JSON_QUERY(`_streamt_value`, '$[''event_at'']')) || ' does not read as TIMESTAMP_LTZ(3)' END, CASE WHEN (JSON_QUERY(`_streamt_value`, '$[''day'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''day'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''day'']') AS DATE) IS NULL)) THEN 'day = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''day'']'), JSON_QUERY(`_streamt_value`, '$[''day'']')) || ' does not read as DATE' END, CASE WHEN (JSON_QUERY(`_streamt_value`, '$[''clock'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''clock'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''clock'']') AS TIME(0)) IS NULL)) THEN 'clock = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''clock'']'), JSON_QUERY(`_streamt_value`, '$[''clock'']')) || ' does not read as TIME(0)' END, CASE WHEN (JSON_VALUE(`_streamt_value`, '$[''amount'']') IS NULL AND JSON_QUERY(`_streamt_value`, '$[''amount'']') IS NULL) THEN 'amount is missing or null (declared BIGINT NOT NULL)' END, CASE WHEN (JSON_QUERY(`_streamt_value`, '$[''amount'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''amount'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''amount'']') AS BIGINT) IS NULL)) THEN 'amount = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''amount'']'), JSON_QUERY(`_streamt_value`, '$[''amount'']')) || ' does not read as BIGINT' END, CASE WHEN (JSON_QUERY(`_streamt_value`, '$[''ratio'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''ratio'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''ratio'']') AS DOUBLE) IS NULL)) THEN 'ratio = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''ratio'']'), JSON_QUERY(`_streamt_value`, '$[''ratio'']')) || ' does not read as DOUBLE' END, CASE WHEN (JSON_QUERY(`_streamt_value`, '$[''ok'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''ok'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''ok'']') AS BOOLEAN) IS NULL)) THEN 'ok = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''ok'']'), JSON_QUERY(`_streamt_value`, '$[''ok'']')) || ' does not read as BOOLEAN' END, CASE WHEN (JSON_VALUE(`_streamt_value`, '$[''tags'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''tags'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''tags'']') IS JSON ARRAY))) THEN 'tags = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''tags'']'), JSON_QUERY(`_streamt_value`, '$[''tags'']')) || ' is not an array (declared ARRAY<STRING>)' END, CASE WHEN (JSON_VALUE(`_streamt_value`, '$[''counts'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''counts'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''counts'']') IS JSON OBJECT))) THEN 'counts = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''counts'']'), JSON_QUERY(`_streamt_value`, '$[''counts'']')) || ' is not an object (declared MAP<STRING, BIGINT>)' END, CASE WHEN (JSON_VALUE(`_streamt_value`, '$[''payload'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''payload'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''payload'']') IS JSON OBJECT))) THEN 'payload = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''payload'']'), JSON_QUERY(`_streamt_value`, '$[''payload'']')) || ' is not an object (declared ROW<`currency` STRING, `lines` ARRAY<ROW<`sku` STRING, `qty` BIGINT>>>)' END, CASE WHEN (JSON_QUERY(`_streamt_value`, '$[''payload'']') IS JSON OBJECT AND JSON_VALUE(`_streamt_value`, '$[''payload''][''lines'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''payload''][''lines'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''payload''][''lines'']') IS JSON ARRAY))) THEN 'payload.lines = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''payload''][''lines'']'), JSON_QUERY(`_streamt_value`, '$[''payload''][''lines'']')) || ' is not an array (declared ARRAY<ROW<`sku` STRING, `qty` BIGINT>>)' END, CASE WHEN (JSON_VALUE(`_streamt_value`, '$[''free'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''free'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''free'']') IS JSON OBJECT))) THEN 'free = ' || COALESCE(JSON_VALUE(`_streamt_value`, '$[''free'']'), JSON_QUERY(`_streamt_value`, '$[''free'']')) || ' is not an object (declared MAP<STRING, STRING>)' END) END, `_streamt_partition`, `_streamt_offset`, `_streamt_ts`, CURRENT_TIMESTAMP
FROM `_streamt_rows`
WHERE `_streamt_value` IS NOT NULL AND (NOT (`_streamt_value` IS JSON OBJECT) OR (JSON_VALUE(`_streamt_value`, '$[''id'']') IS NULL AND JSON_QUERY(`_streamt_value`, '$[''id'']') IS NULL) OR (JSON_VALUE(`_streamt_value`, '$[''event_at'']') IS NULL AND JSON_QUERY(`_streamt_value`, '$[''event_at'']') IS NULL) OR (JSON_QUERY(`_streamt_value`, '$[''event_at'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''event_at'']') IS NOT NULL AND TRY_CAST(REPLACE(REPLACE(JSON_VALUE(`_streamt_value`, '$[''event_at'']'), 'T', ' '), 'Z', '') AS TIMESTAMP(3)) IS NULL)) OR (JSON_QUERY(`_streamt_value`, '$[''day'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''day'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''day'']') AS DATE) IS NULL)) OR (JSON_QUERY(`_streamt_value`, '$[''clock'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''clock'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''clock'']') AS TIME(0)) IS NULL)) OR (JSON_VALUE(`_streamt_value`, '$[''amount'']') IS NULL AND JSON_QUERY(`_streamt_value`, '$[''amount'']') IS NULL) OR (JSON_QUERY(`_streamt_value`, '$[''amount'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''amount'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''amount'']') AS BIGINT) IS NULL)) OR (JSON_QUERY(`_streamt_value`, '$[''ratio'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''ratio'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''ratio'']') AS DOUBLE) IS NULL)) OR (JSON_QUERY(`_streamt_value`, '$[''ok'']') IS NOT NULL OR (JSON_VALUE(`_streamt_value`, '$[''ok'']') IS NOT NULL AND TRY_CAST(JSON_VALUE(`_streamt_value`, '$[''ok'']') AS BOOLEAN) IS NULL)) OR (JSON_VALUE(`_streamt_value`, '$[''tags'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''tags'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''tags'']') IS JSON ARRAY))) OR (JSON_VALUE(`_streamt_value`, '$[''counts'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''counts'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''counts'']') IS JSON OBJECT))) OR (JSON_VALUE(`_streamt_value`, '$[''payload'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''payload'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''payload'']') IS JSON OBJECT))) OR (JSON_QUERY(`_streamt_value`, '$[''payload'']') IS JSON OBJECT AND JSON_VALUE(`_streamt_value`, '$[''payload''][''lines'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''payload''][''lines'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''payload''][''lines'']') IS JSON ARRAY))) OR (JSON_VALUE(`_streamt_value`, '$[''free'']') IS NOT NULL OR (JSON_QUERY(`_streamt_value`, '$[''free'']') IS NOT NULL AND NOT (JSON_QUERY(`_streamt_value`, '$[''free'']') IS JSON OBJECT))));
