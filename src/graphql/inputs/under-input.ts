/**
 * Use cases name bad fields by their own names (`period.end`); a mutation's arguments arrive under
 * its `input` argument, so here, and only here, they become `input.period.end`.
 */
import { ValidationError } from "../../domain/validation.js";

export async function underInput<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw error instanceof ValidationError ? error.under("input") : error;
  }
}
