/**
 * The two operations on a one-to-many index (`Map<key, Set<value>>`), such as the manager's
 * connections by user and by path: an empty set never stays behind.
 */

/** Adds `value` under `key`, creating the set on first use. */
export function addTo<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  let set = index.get(key);
  if (set === undefined) index.set(key, (set = new Set()));
  set.add(value);
}

/** Removes `value` from under `key`, dropping the key with its last value. */
export function removeFrom<K, V>(index: Map<K, Set<V>>, key: K, value: V): void {
  const set = index.get(key);
  if (set?.delete(value) && set.size === 0) index.delete(key);
}
