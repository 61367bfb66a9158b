/** What the device reports about sync (GET /api/status → `sync`). */
export interface DestinationStatus {
  name: string;
  /** Whether the last request reached the server; null before the first one. */
  online: boolean | null;
  lastError: string | null;
  lastSuccessAt: string | null;
  /** SOP Instance UID being sent or verified now. */
  busyWith: string | null;
  objectsVerified: number;
}

export interface SyncStatus {
  running: boolean;
  destinations: DestinationStatus[];
  reviewsFound: number;
  lastReviewPollAt: string | null;
}
