/**
 * The grants on one key (create-grant, list-grants, revoke-grant): who else may use the key, for
 * which operations. What a grantee may do with a grant is decided by the core (docs/kms.md).
 */
import { GRANT_OPERATIONS, type Grant } from '../../../shared/operations/kms/grants.js';
import type { Client } from './api.js';
import { Task } from './task.svelte.js';

export type GrantOperation = (typeof GRANT_OPERATIONS)[number];
export { GRANT_OPERATIONS };

export interface NewGrant {
  grantee: string;
  operations: GrantOperation[];
  name: string;
  retiringPrincipal: string;
}

export class KeyGrantsManager {
  keyId = $state('');
  grants = $state<Grant[]>([]);
  readonly task = new Task();

  constructor(private readonly client: Client) {}

  async load(keyId: string): Promise<void> {
    this.keyId = keyId;
    this.grants = [];
    await this.task.run(() => this.reload());
  }

  async create(g: NewGrant): Promise<string | undefined> {
    return this.task.run(async () => {
      const res = await this.client.call('createGrant', {
        key_id: this.keyId,
        grantee_principal: g.grantee.trim(),
        operations: g.operations,
        ...(g.name.trim() ? { name: g.name.trim() } : {}),
        ...(g.retiringPrincipal.trim() ? { retiring_principal: g.retiringPrincipal.trim() } : {}),
      });
      await this.reload();
      return res.grant_id;
    });
  }

  async revoke(grantId: string): Promise<void> {
    await this.task.run(async () => {
      await this.client.call('revokeGrant', { key_id: this.keyId, grant_id: grantId });
      await this.reload();
    });
  }

  private async reload(): Promise<void> {
    this.grants = (await this.client.call('listGrants', { key_id: this.keyId, limit: '100' })).grants;
  }

  onLock(): void {
    this.keyId = '';
    this.grants = [];
    this.task.error = null;
  }
}
