/**
 * The resource kinds streamt manages, each one handler (see ./handler.ts). The only list of
 * kinds: the planner, the desired-state builder, the live systems and `status` iterate over it.
 */
import type { ResourceHandler } from './handler.js';
import { connectorHandler } from './connect/connector-handler.js';
import { flinkJobHandler } from './flink/job-handler.js';
import { gatewayRuleHandler } from './gateway/rule-handler.js';
import { aclHandler } from './kafka/acl-handler.js';
import { topicHandler } from './kafka/topic-handler.js';
import { subjectHandler } from './schema-registry/subject-handler.js';

export type { ObservedConnector } from './connect/connector-handler.js';
export type { LiveJob, ObservedFlinkJob } from './flink/job-handler.js';
export type { ObservedGatewayRule } from './gateway/rule-handler.js';
export type { ObservedAcl } from './kafka/acl-handler.js';
export type { ObservedTopic } from './kafka/topic-handler.js';
export type { ObservedSubject } from './schema-registry/subject-handler.js';

/** In the order of one node's resources (subject, topic, ACLs, rule, job, connector). */
export const HANDLERS: readonly ResourceHandler[] = [subjectHandler, topicHandler, aclHandler, gatewayRuleHandler, flinkJobHandler, connectorHandler].sort((a, b) => a.order - b.order);

const byKind = new Map(HANDLERS.map((h) => [h.kind, h]));

/** The handler of a kind (throws for an unknown kind: a plan or record from a newer streamt). */
export function handlerFor(kind: string): ResourceHandler {
  const h = byKind.get(kind);
  if (!h) throw new Error(`unknown resource kind "${kind}" (this streamt knows ${[...byKind.keys()].join(', ')})`);
  return h;
}

export function hasHandler(kind: string): boolean {
  return byKind.has(kind);
}

export function kindOfAddr(addr: string): string | undefined {
  return HANDLERS.find((h) => addr.startsWith(h.addrPrefix))?.kind;
}
