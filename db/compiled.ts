import type { Compilable, CompiledQuery, Kysely } from "kysely";
import type { DB } from "./schema";

/**
 * A query whose shape never changes, built and compiled by Kysely once per
 * process; each call only puts its arguments in the parameters' places and
 * sends the same SQL text (so postgres.js's prepared statement is reused).
 * For the hottest statements (a registration, a desk's scan): building and
 * compiling a Kysely query costs 20–80 µs of CPU each time, about a seventh
 * of a request (docs/decisions/027-compiled-queries.md).
 *
 * `build` is called once, with placeholders for the arguments: it must pass
 * each argument straight to Kysely as a value (`where("slug", "=", args.slug)`,
 * `${args.id}` in `sql`), never look at it, branch on it, compute with it or
 * give it as a list for `in` (`= any(${a.ids})` in `sql` is fine). It is
 * checked as far as it can be: turning an argument into text or JSON throws,
 * and so does an argument that does not come out as a parameter, on the
 * first call. Branching on one cannot be seen: where a question has several
 * shapes, give each its own compiled query. The first call's `db` compiles
 * it (no Kysely plugins are used here; one added to the instance would not
 * apply).
 *
 *   const bySlug = compiledQuery((db, a: { slug: string }) =>
 *     db.selectFrom("events").select("id").where("slug", "=", a.slug));
 *   const rows = await bySlug(trx, { slug });
 */
export function compiledQuery<A extends Record<string, unknown>, O>(
  build: (db: Kysely<DB>, args: A) => Compilable<O>,
): (db: Kysely<DB>, args: A) => Promise<O[]> {
  let compiled: { query: CompiledQuery<O>; slots: (keyof A | undefined)[] } | undefined;
  return async (db, args) => {
    compiled ??= compileOnce(db, build, Object.keys(args) as (keyof A)[]);
    const { query, slots } = compiled;
    const parameters = query.parameters.map((value, i) => {
      const slot = slots[i];
      return slot === undefined ? value : args[slot];
    });
    return (await db.executeQuery<O>({ ...query, parameters })).rows;
  };
}

/** An argument while the query is built: only Kysely may hold it; any other use of it throws. */
class Placeholder {
  constructor(readonly name: string) {}
  [Symbol.toPrimitive](): never {
    throw misuse(this.name);
  }
  toString(): never {
    throw misuse(this.name);
  }
  toJSON(): never {
    throw misuse(this.name);
  }
}

function misuse(name: string): Error {
  return new Error(
    `compiledQuery: the argument "${name}" must be passed to Kysely as a plain value, not computed with`,
  );
}

function compileOnce<A extends Record<string, unknown>, O>(
  db: Kysely<DB>,
  build: (db: Kysely<DB>, args: A) => Compilable<O>,
  names: (keyof A)[],
) {
  const placeholders = Object.fromEntries(
    names.map((name) => [name, new Placeholder(String(name))]),
  ) as unknown as A;
  const query = build(db, placeholders).compile();
  const slots = query.parameters.map((value) =>
    value instanceof Placeholder ? (value.name as keyof A) : undefined,
  );
  for (const name of names) if (!slots.includes(name)) throw misuse(String(name));
  return { query, slots };
}
