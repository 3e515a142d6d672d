import { type ApiKeyStore, revokedForm, type StoredApiKey } from './ports.js';

/** API keys in this process's memory, for the in-process engine. */
export class MemoryApiKeyStore implements ApiKeyStore {
  private readonly keys = new Map<string, StoredApiKey>();

  async create(key: StoredApiKey): Promise<void> {
    this.keys.set(key.id, key);
  }

  async get(id: string): Promise<StoredApiKey | undefined> {
    return this.keys.get(id);
  }

  async list(): Promise<StoredApiKey[]> {
    return [...this.keys.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  async revoke(id: string, now: number): Promise<boolean> {
    const key = this.keys.get(id);
    if (!key || key.revokedAt !== undefined) return false;
    const kept = revokedForm(key, now);
    if (kept) this.keys.set(id, kept);
    else this.keys.delete(id);
    return true;
  }
}
