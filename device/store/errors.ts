/**
 * Typed store errors. Each carries the HTTP status the local API answers with, and a message
 * that says what to do, because the kiosk shows it to the person holding the probe.
 */
export class StoreError extends Error {
  override name = 'StoreError';
  /** HTTP status for the local API. */
  readonly status: number = 500;
}

/** Not enough disk left: captures are refused before the disk is full. */
export class DiskBudgetError extends StoreError {
  override name = 'DiskBudgetError';
  override readonly status = 507;
}

export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
  override readonly status = 404;
}

/** The request does not fit the exam's state (capture into a finished exam, delete unsynced…). */
export class ExamStateError extends StoreError {
  override name = 'ExamStateError';
  override readonly status = 409;
}

/** Input that passed the schema but is still wrong (unknown zone for the protocol…). */
export class InvalidInputError extends StoreError {
  override name = 'InvalidInputError';
  override readonly status = 400;
}

/** A stored file does not match its recorded hash or size. */
export class IntegrityError extends StoreError {
  override name = 'IntegrityError';
}

/** The data directory is in use by another running device process. */
export class DataDirBusyError extends StoreError {
  override name = 'DataDirBusyError';
}

/** The database was written by a newer Pleura than this one. */
export class SchemaTooNewError extends StoreError {
  override name = 'SchemaTooNewError';
}

const BY_NAME: Record<string, new (message: string) => StoreError> = {
  StoreError,
  DiskBudgetError,
  NotFoundError,
  ExamStateError,
  InvalidInputError,
  IntegrityError,
  DataDirBusyError,
  SchemaTooNewError,
};

export interface SerializedError {
  name: string;
  message: string;
}

/** Errors cross the worker-thread boundary as plain objects; this restores their class. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

export function deserializeError(e: SerializedError): Error {
  const Ctor = BY_NAME[e.name];
  if (Ctor) return new Ctor(e.message);
  const err = new Error(e.message);
  err.name = e.name;
  return err;
}
