/**
 * Keeping a connection busy: LDAP requests are pipelined on one connection, so a few in flight
 * hide the round trips without opening more connections.
 */

/** Runs `fn` over the items, at most `limit` at a time (LDAP requests pipelined on one connection). */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Asks for the next page before the current one is handed out, so that the DC prepares page n+1
 * while page n is being evaluated (one page in flight; memory stays one page ahead).
 */
export async function* prefetched<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  try {
    while (true) {
      const r = await next;
      if (r.done) return;
      next = it.next();
      // a failure of the request in flight surfaces at the next await, not as an unhandled rejection
      next.catch(() => undefined);
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}
