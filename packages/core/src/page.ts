/** Page sizes the API serves: 1 to MAX_PAGE_LIMIT items, DEFAULT_PAGE_LIMIT when the client names none. */
export const MAX_PAGE_LIMIT = 100;
export const DEFAULT_PAGE_LIMIT = 50;

/** A page of results and the opaque cursor of the next one (absent on the last page). */
export interface Page<T> {
  items: T[];
  cursor?: string;
}
