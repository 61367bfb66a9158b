/**
 * The part of better-sqlite3's API the store uses (the package ships no types, and
 * @types/better-sqlite3 is not installed). Kept narrow on purpose: rows come back as `unknown`
 * and each query site says what shape it expects.
 */
declare module 'better-sqlite3' {
  namespace BetterSqlite3 {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement {
      run(...params: unknown[]): RunResult;
      get(...params: unknown[]): unknown;
      all(...params: unknown[]): unknown[];
      pluck(on?: boolean): Statement;
    }
    type Transaction<A extends unknown[], R> = ((...args: A) => R) & {
      immediate: (...args: A) => R;
      deferred: (...args: A) => R;
      exclusive: (...args: A) => R;
    };
    interface Database {
      readonly open: boolean;
      readonly inTransaction: boolean;
      readonly name: string;
      exec(sql: string): Database;
      prepare(sql: string): Statement;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<A extends unknown[], R>(fn: (...args: A) => R): Transaction<A, R>;
      close(): Database;
    }
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
    }
  }
  const Database: new (filename: string, options?: BetterSqlite3.Options) => BetterSqlite3.Database;
  export default Database;
  export type Db = BetterSqlite3.Database;
  export type Statement = BetterSqlite3.Statement;
}
