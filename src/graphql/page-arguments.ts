/** The `first` argument's description, the same on every connection (the rule: domain/limits.ts). */
import { DEFAULT_PAGE_SIZE, PAGE_SIZE } from "../domain/limits.js";

export const FIRST_DESCRIPTION = `Page size: ${PAGE_SIZE.min} to ${PAGE_SIZE.max}, ${DEFAULT_PAGE_SIZE} when omitted; ${PAGE_SIZE.min} answers only pageInfo.`;
