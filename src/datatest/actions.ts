/**
 * on_failure actions. The decisions and bodies are pure; the HTTP calls take their client as a
 * parameter. Each action's outcome is recorded in the test's result.
 */
import { request } from 'undici';
import type { FailureAction, TestNode } from '../project/types.js';
import type { ActionOutcome, TestResult } from './types.js';

export interface AlertTarget {
  url?: string;
  channel?: string;
  /** Why there is no URL, when there is none. */
  problem?: string;
}

/**
 * The forms written in on_failure: `alert: {webhook: URL}`, `alert: {url: URL}`,
 * `alert: {type: slack, channel: "#x", webhook: URL}`, `send_alert: "slack://#x"`, `alert: "URL"`.
 * A Slack channel without a URL uses $STREAMT_SLACK_WEBHOOK_URL (or $SLACK_WEBHOOK_URL).
 */
export function alertTarget(config: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): AlertTarget {
  const str = (k: string) => (typeof config[k] === 'string' ? (config[k] as string) : undefined);
  let url = str('webhook') ?? str('webhook_url') ?? str('url');
  let channel = str('channel');
  const slack = url && /^slack:\/\//i.test(url) ? url : undefined;
  if (slack) {
    channel = decodeURIComponent(slack.replace(/^slack:\/\//i, '')) || channel;
    url = undefined;
  }
  if (!url && (slack || str('type') === 'slack' || channel)) url = env.STREAMT_SLACK_WEBHOOK_URL ?? env.SLACK_WEBHOOK_URL;
  const out: AlertTarget = {};
  if (channel) out.channel = channel;
  if (url && /^https?:\/\//i.test(url)) out.url = url;
  else if (url) out.problem = `the alert URL is not http(s): ${url.replace(/\/\/[^/@]*@/, '//****@')}`;
  else out.problem = slack || channel ? 'no webhook URL for the Slack alert: set webhook: on the action or $STREAMT_SLACK_WEBHOOK_URL' : 'the alert has no webhook: or url:';
  return out;
}

/** A Slack-compatible body (`text`), with the result as fields for other receivers. */
export function alertBody(project: string, result: TestResult, channel?: string, environment?: string): Record<string, unknown> {
  const where = environment ? `${project} (${environment})` : project;
  const lines = [`streamt test ${result.status === 'error' ? 'error' : 'failed'}: ${result.test} on ${result.target} [${where}]`, `${result.failures} failure${result.failures === 1 ? '' : 's'}: ${result.message}`];
  for (const a of result.assertions.filter((x) => x.status === 'fail')) {
    for (const e of a.examples.slice(0, 3)) lines.push(`  • ${a.assertion}: ${e.key != null ? `key ${e.key}: ` : ''}${e.reason}`);
  }
  const body: Record<string, unknown> = {
    text: lines.join('\n'),
    project,
    test: result.test,
    target: result.target,
    type: result.type,
    status: result.status,
    severity: result.severity,
    failures: result.failures,
    message: result.message,
  };
  if (environment) body.environment = environment;
  if (channel) body.channel = channel;
  return body;
}

export type Poster = (url: string, body: unknown) => Promise<{ status: number }>;

export const httpPost: Poster = async (url, body) => {
  const res = await request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), headersTimeout: 10_000, bodyTimeout: 10_000 });
  await res.body.dump();
  return { status: res.statusCode };
};

export async function sendAlert(action: FailureAction, project: string, result: TestResult, env: Readonly<Record<string, string | undefined>>, post: Poster = httpPost, environment?: string): Promise<ActionOutcome> {
  const target = alertTarget(action.config, env);
  if (!target.url) return { action: 'alert', status: 'failed', message: target.problem ?? 'no URL' };
  const shown = redactUrl(target.url);
  try {
    const r = await post(target.url, alertBody(project, result, target.channel, environment));
    if (r.status >= 200 && r.status < 300) return { action: 'alert', status: 'done', message: `alert sent to ${shown}${target.channel ? ` (${target.channel})` : ''}` };
    return { action: 'alert', status: 'failed', message: `${shown} answered ${r.status}` };
  } catch (e) {
    return { action: 'alert', status: 'failed', message: `could not reach ${shown}: ${(e as Error).message}` };
  }
}

/** Webhook URLs carry their secret in the path (Slack): show only scheme, host and the first segment. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const first = u.pathname.split('/').filter(Boolean)[0];
    return `${u.protocol}//${u.host}${first ? `/${first}/…` : '/'}`;
  } catch {
    return '(invalid URL)';
  }
}

/** Whether a test's actions fire: on a failed test only (not on warn, not on an evaluation error). */
export function actionsFire(result: TestResult): boolean {
  return result.status === 'fail';
}

// ---------------------------------------------------------------------------------------------
// block_deploy

export interface RunResultsLike {
  results: { test: string; status: string; target?: string; message?: string; blocks_deploy?: boolean; generated_at?: string }[];
  generated_at?: string;
}

export interface DeployBlocker {
  test: string;
  target: string;
  status: string;
  message: string;
}

/**
 * Tests with a block_deploy action that did not pass in the last `streamt test` run. apply
 * refuses to deploy while this list is not empty (and says which tests to fix or re-run).
 */
export function deployBlockers(runResults: RunResultsLike | undefined): DeployBlocker[] {
  if (!runResults) return [];
  return runResults.results
    .filter((r) => r.blocks_deploy && (r.status === 'fail' || r.status === 'error'))
    .map((r) => ({ test: r.test, target: r.target ?? '', status: r.status, message: r.message ?? '' }));
}

export function blocksDeploy(test: TestNode): boolean {
  return test.actions.some((a) => a.type === 'block_deploy');
}
