import { DAY, HOUR, MINUTE, SECOND } from "./time";

/** Business-rule timings (reference §2.2, §2.3). Kept in one place so tests can bend the undocumented ones. */
export interface RuleConfig {
  /** How long after purchase a payment clears (or fails, under a payment-failure fault). */
  paymentDelayMs: number;
  /** How long expired / payment-failed reservations stay visible before NotFound. Infinity = forever. */
  expiredRetentionMs: number;
  /** Extensions can be bought from this long before the current end … */
  extensionWindowOpensMs: number;
  /** … until this long before it. */
  extensionWindowClosesMs: number;
  /** A payment not cleared within this long after purchase fails. */
  paymentMaxMs: number;
  /** An extension payment not cleared by this long before the block's end fails. */
  extensionPaymentEndMarginMs: number;
  /** A new block's payment not cleared by this long before its start fails. */
  blockPaymentStartMarginMs: number;
  /** New blocks can start at most this far ahead. */
  blockStartHorizonMs: number;
}

export function defaultRuleConfig(paymentDelaySeconds = 300): RuleConfig {
  return {
    paymentDelayMs: paymentDelaySeconds * SECOND,
    expiredRetentionMs: Infinity,
    extensionWindowOpensMs: 56 * DAY,
    extensionWindowClosesMs: HOUR,
    paymentMaxMs: 12 * HOUR,
    extensionPaymentEndMarginMs: 35 * MINUTE,
    blockPaymentStartMarginMs: 5 * MINUTE,
    blockStartHorizonMs: 56 * DAY,
  };
}
