/**
 * A map that keeps its first entry in two fields and allocates a Map only for a second key: most
 * subscriptions follow one channel, and a Map's hash table costs more than the rest of one.
 * Iteration is in insertion order, as for a Map.
 */
export class InlineMap<K, V> {
  private firstKey: K | undefined;
  private firstValue: V | undefined;
  private hasFirst = false;
  private more: Map<K, V> | undefined;

  get size(): number {
    return (this.hasFirst ? 1 : 0) + (this.more?.size ?? 0);
  }

  get(key: K): V | undefined {
    if (this.hasFirst && this.firstKey === key) return this.firstValue;
    return this.more?.get(key);
  }

  has(key: K): boolean {
    return (this.hasFirst && this.firstKey === key) || (this.more?.has(key) ?? false);
  }

  /** Adds or replaces. */
  set(key: K, value: V): void {
    if (this.hasFirst && this.firstKey === key) this.firstValue = value;
    else if (!this.hasFirst && !this.more?.size) {
      this.firstKey = key;
      this.firstValue = value;
      this.hasFirst = true;
    } else (this.more ??= new Map()).set(key, value);
  }

  delete(key: K): boolean {
    if (!this.hasFirst || this.firstKey !== key) return this.more?.delete(key) ?? false;
    // The oldest of the rest moves into the inline slot, which keeps insertion order.
    const next = this.more?.entries().next();
    if (next && !next.done) {
      [this.firstKey, this.firstValue] = next.value;
      this.more!.delete(next.value[0]);
    } else {
      this.firstKey = undefined;
      this.firstValue = undefined;
      this.hasFirst = false;
    }
    return true;
  }

  clear(): void {
    this.firstKey = undefined;
    this.firstValue = undefined;
    this.hasFirst = false;
    this.more = undefined;
  }

  *entries(): IterableIterator<[K, V]> {
    if (this.hasFirst) yield [this.firstKey as K, this.firstValue as V];
    if (this.more) yield* this.more;
  }

  *values(): IterableIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  *keys(): IterableIterator<K> {
    for (const [key] of this.entries()) yield key;
  }
}
