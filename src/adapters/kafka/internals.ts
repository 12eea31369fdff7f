/**
 * The parts of kafkajs 2.2.4 that its public API does not expose and streamt needs:
 *
 * - a cluster handle (the authenticated, SASL/SSL-aware connections kafkajs already manages),
 *   to send requests kafkajs has no method for;
 * - IncrementalAlterConfigs (API key 44) v0, encoded with kafkajs's own protocol Encoder and
 *   decoded with its Decoder: kafkajs only has the legacy, whole-set AlterConfigs, which would
 *   lose a concurrent change to another key (read-modify-write);
 * - single-broker Metadata requests (readiness is polled on EVERY broker, not on the one the
 *   client happens to pick);
 * - Fetch of one partition from its leader without a consumer group (the apply lease reads the
 *   record partition back to its end in one round trip, without a group join; see
 *   `KafkaAdapter.readPartition`, pinned by test/integration/lease.test.ts).
 *
 * Why reach inside: kafkajs has had no release since 2.2.4 (2023), so these internals do not
 * move. They are not yet pinned or covered by a test of their own (kafka.test.ts exercises them
 * only through createTopic/alterTopicConfig): both are open work. The decision against switching
 * clients is in docs/development.md ("Kafka client decision").
 */
import { createRequire } from 'node:module';
import type { Kafka } from 'kafkajs';

const require = createRequire(import.meta.url);

interface EncoderLike {
  writeInt8(v: number): EncoderLike;
  writeInt16(v: number): EncoderLike;
  writeInt32(v: number): EncoderLike;
  writeString(v: string | null): EncoderLike;
  writeBoolean(v: boolean): EncoderLike;
  writeArray(v: EncoderLike[]): EncoderLike;
}
interface DecoderLike {
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readString(): string | null;
  readArray<T>(fn: (d: DecoderLike) => T): T[];
}
const Encoder = require('kafkajs/src/protocol/encoder') as new () => EncoderLike;
const Decoder = require('kafkajs/src/protocol/decoder') as new (raw: Buffer) => DecoderLike;
const protocolErrors = require('kafkajs/src/protocol/error') as { failure(code: number): boolean; createErrorFromCode(code: number): Error & { type?: string } };

export interface PartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
}
export interface TopicMetadata {
  topicErrorCode: number;
  topic: string;
  partitionMetadata: PartitionMetadata[];
}
/** A record as kafkajs's Fetch decoder returns it (offsets and timestamps as decimal strings). */
export interface FetchedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  isControlRecord?: boolean;
  batchContext?: { firstOffset: string; lastOffsetDelta: number };
}
interface ProtocolRequest {
  request: { apiKey: number; apiVersion: number; apiName: string; encode: () => Promise<EncoderLike> };
  response: { decode: (raw: Buffer) => Promise<unknown>; parse: (data: unknown) => Promise<unknown> };
}
export interface RawBroker {
  nodeId: number;
  connectionPool: { send(r: ProtocolRequest): Promise<unknown> };
  metadata(topics: string[]): Promise<{ brokers: { nodeId: number }[]; topicMetadata: TopicMetadata[] }>;
  /** Throws the partition's protocol error (e.g. OFFSET_OUT_OF_RANGE, NOT_LEADER_OR_FOLLOWER). */
  fetch(o: {
    replicaId?: number;
    isolationLevel?: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: { partition: number; errorCode: number; highWatermark: string; lastStartOffset?: string; messages: FetchedMessage[] }[] }[] }>;
}
export interface RawCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  findControllerBroker(): Promise<RawBroker>;
  findBroker(o: { nodeId: number | string }): Promise<RawBroker>;
  findTopicPartitionMetadata(topic: string): PartitionMetadata[];
  addTargetTopic(topic: string): Promise<void>;
  brokerPool: { metadata?: { brokers: { nodeId: number }[] } };
}

/** A new cluster handle with the Kafka instance's brokers, SSL, SASL and timeouts. */
export function rawCluster(kafka: Kafka): RawCluster {
  const sym = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = sym ? (kafka as unknown as Record<symbol, unknown>)[sym] : undefined;
  if (typeof create !== 'function') throw new Error('this kafkajs version does not expose its cluster factory (streamt needs kafkajs 2.2.4)');
  return (create as (o: object) => RawCluster)({ allowAutoTopicCreation: false });
}

/** IncrementalAlterConfigs operation codes (KIP-339). */
export const SET = 0;
export const DELETE = 1;
const INCREMENTAL_ALTER_CONFIGS = 44;
const TOPIC_RESOURCE = 2;

export interface ConfigOp {
  name: string;
  op: typeof SET | typeof DELETE;
  value?: string;
}

/**
 * IncrementalAlterConfigs v0 for one topic (Kafka 2.3+; Kafka 4.1 serves v0–v1):
 *   Request => [resources] validate_only
 *     resources => resource_type:INT8 resource_name:STRING [configs]
 *       configs => name:STRING config_operation:INT8 value:NULLABLE_STRING
 *   Response => throttle_time_ms:INT32 [responses]
 *     responses => error_code:INT16 error_message:NULLABLE_STRING resource_type:INT8 resource_name:STRING
 */
export function incrementalAlterConfigsRequest(topic: string, ops: readonly ConfigOp[], validateOnly = false): ProtocolRequest {
  return {
    request: {
      apiKey: INCREMENTAL_ALTER_CONFIGS,
      apiVersion: 0,
      apiName: 'IncrementalAlterConfigs',
      encode: async () =>
        new Encoder()
          .writeArray([
            new Encoder()
              .writeInt8(TOPIC_RESOURCE)
              .writeString(topic)
              .writeArray(ops.map((o) => new Encoder().writeString(o.name).writeInt8(o.op).writeString(o.op === SET ? (o.value ?? '') : null))),
          ])
          .writeBoolean(validateOnly),
    },
    response: {
      decode: async (raw: Buffer) => {
        const d = new Decoder(raw);
        const throttleTime = d.readInt32();
        const responses = d.readArray((r) => ({ errorCode: r.readInt16(), errorMessage: r.readString(), resourceType: r.readInt8(), resourceName: r.readString() }));
        return { throttleTime, responses };
      },
      parse: async (data: unknown) => {
        const { responses } = data as { responses: { errorCode: number; errorMessage: string | null }[] };
        const bad = responses.find((r) => protocolErrors.failure(r.errorCode));
        if (bad) {
          const e = protocolErrors.createErrorFromCode(bad.errorCode);
          // The broker's own message names the key and the reason (e.g. an invalid value).
          if (bad.errorMessage) e.message = `${e.message}: ${bad.errorMessage}`;
          throw e;
        }
        return data;
      },
    },
  };
}
