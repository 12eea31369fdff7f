// Types for the Conduktor Gateway admin API v2 contract fake.
import type { Server } from 'node:http';
export interface FakeUser { username: string; password: string; admin?: boolean }
export declare function parseUsers(raw: string | undefined): FakeUser[];
export declare function createGatewayFake(opts?: { users?: FakeUser[] }): { server: Server; state: Record<string, Map<string, unknown>> };
