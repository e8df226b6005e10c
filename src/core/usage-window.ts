/** The usage window: identical checks within one are counted into one raw usage event (a rule of its own, read by the configuration). */
export const DEFAULT_USAGE_WINDOW_SECONDS = 10;

/** Usage window lengths, in seconds, that divide a minute: a window never straddles two roll-up minutes. */
export function isUsageWindowSeconds(seconds: number): boolean {
  return Number.isInteger(seconds) && seconds >= 1 && seconds <= 60 && 60 % seconds === 0;
}
