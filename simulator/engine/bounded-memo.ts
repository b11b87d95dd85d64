/**
 * A memo for a pure function of a string that hot paths call with the same
 * few arguments over and over (addresses, mostly). Bounded: when it holds
 * `limit` entries it starts afresh, so a run with endless distinct
 * arguments never grows it without end. Null results are kept too.
 */
export class BoundedMemo<V> {
  private readonly values = new Map<string, V>();

  constructor(
    private readonly compute: (key: string) => V,
    private readonly limit = 65_536,
  ) {}

  get(key: string): V {
    let value = this.values.get(key);
    if (value === undefined) {
      value = this.compute(key);
      if (this.values.size >= this.limit) this.values.clear();
      this.values.set(key, value);
    }
    return value;
  }
}
