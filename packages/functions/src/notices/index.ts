/* The notices wing: AWS's Capacity Block events and the expiry reminders, sent as notices by one handler. */
export { createNoticesHandler, type NoticesDeps, type NoticesResult } from "./create-notices-handler";
export { createExpiryReminders, type ExpiryRemindersOptions } from "./expiry-reminders";
export { ALL_CAPACITY_BLOCK_DETAIL_TYPES } from "./detail-types";
