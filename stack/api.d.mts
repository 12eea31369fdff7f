// Types for stack/api.mjs (programmatic control of the local stack).
import type { StackConfig, ServiceName } from './config.mjs';
export { stackConfig, serviceNames } from './config.mjs';
export type ServiceState = 'running' | 'starting' | 'stopped' | 'foreign';
export interface ServiceStatus {
  name: ServiceName;
  state: ServiceState;
  pid: number | null;
  port: number | null;
  rssMiB: number | null;
  log: string;
  describe: string;
}
export interface UpResult {
  startedAny: boolean;
  installMs: number;
  startMs: number;
  services: { name: ServiceName; started: boolean; ms: number }[];
}
type Log = (message: string) => void;
export declare function status(): Promise<ServiceStatus[]>;
export declare function isUp(): Promise<boolean>;
export declare function up(opts?: { log?: Log; owner?: 'manual' | 'test'; only?: ServiceName[] }): Promise<UpResult>;
export declare function acquireForTests(opts?: { log?: Log }): Promise<{ result: UpResult; release: () => Promise<void> }>;
export declare function stopIfUnused(opts?: { log?: Log }): Promise<string>;
export declare function kill(name: ServiceName, opts?: { log?: Log }): Promise<'killed' | 'not-running'>;
export declare function start(name: ServiceName, opts?: { log?: Log }): Promise<{ name: ServiceName; started: boolean; ms: number }>;
export declare function down(opts?: { log?: Log }): Promise<{ name: ServiceName; result: string }[]>;
export type { StackConfig };
