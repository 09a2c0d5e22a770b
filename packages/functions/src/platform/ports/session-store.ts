/**
 * A console session as the server keeps it. The cookie holds only a random id; everything here stays server-side,
 * so signing out, rotating the API key or letting the session age deletes or voids it for every copy of the cookie.
 */
export interface StoredSession {
  actor: string;
  /** Epoch ms the session was opened: the absolute lifetime counts from here. */
  createdAt: number;
  /** Epoch ms of the last request that used it: the idle lifetime counts from here. */
  lastSeenAt: number;
  /** Which API key opened it (a hash that never leaves the server): another key in force voids the session. */
  keyFingerprint: string;
}

/**
 * Where sessions live (DynamoDB in AWS and local mode). Ids are looked up by a hash, so a reader of the table or a
 * backup cannot replay a cookie. `expiresAt` (epoch ms) lets the store forget a session on its own (DynamoDB TTL).
 */
export interface SessionStore {
  put(id: string, session: StoredSession, expiresAt: number): Promise<void>;
  get(id: string): Promise<StoredSession | undefined>;
  delete(id: string): Promise<void>;
}
