/**
 * A Map and a Set that hold their first entry in plain fields and only make
 * a real Map/Set for a second one. A NAT box almost always has exactly one
 * mapping (its host's relay traffic) and one permitted remote (the relay),
 * and at a million peers the smallest real Map or Set costs ~350 bytes each.
 * Keys compare with `===` (SameValueZero apart from NaN, which no caller uses).
 */
export class SmallMap<K, V> {
  private firstKey: K | undefined = undefined;
  private firstValue: V | undefined = undefined;
  private hasFirst = false;
  private rest: Map<K, V> | null = null;

  get(key: K): V | undefined {
    if (this.hasFirst && this.firstKey === key) return this.firstValue;
    return this.rest === null ? undefined : this.rest.get(key);
  }

  has(key: K): boolean {
    return (this.hasFirst && this.firstKey === key) || (this.rest !== null && this.rest.has(key));
  }

  set(key: K, value: V): void {
    if (this.hasFirst && this.firstKey === key) {
      this.firstValue = value;
    } else if (this.rest !== null && this.rest.has(key)) {
      this.rest.set(key, value);
    } else if (!this.hasFirst) {
      this.firstKey = key;
      this.firstValue = value;
      this.hasFirst = true;
    } else {
      (this.rest ??= new Map()).set(key, value);
    }
  }

  delete(key: K): boolean {
    if (this.hasFirst && this.firstKey === key) {
      this.firstKey = undefined;
      this.firstValue = undefined;
      this.hasFirst = false;
      return true;
    }
    return this.rest !== null && this.rest.delete(key);
  }

  clear(): void {
    this.firstKey = undefined;
    this.firstValue = undefined;
    this.hasFirst = false;
    this.rest = null;
  }

  /** Every value (order: the field first, then the rest; callers only count). */
  values(): V[] {
    const out: V[] = this.hasFirst ? [this.firstValue as V] : [];
    if (this.rest !== null) for (const value of this.rest.values()) out.push(value);
    return out;
  }
}

export class SmallSet<T> {
  private first: T | undefined = undefined;
  private hasFirst = false;
  private rest: Set<T> | null = null;

  has(value: T): boolean {
    return (this.hasFirst && this.first === value) || (this.rest !== null && this.rest.has(value));
  }

  add(value: T): void {
    if (this.has(value)) return;
    if (!this.hasFirst) {
      this.first = value;
      this.hasFirst = true;
    } else {
      (this.rest ??= new Set()).add(value);
    }
  }
}
