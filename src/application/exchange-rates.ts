/** Monthly exchange rates with their source (admins). */
import type { Authentication } from "../domain/identity.js";
import type { ExchangeRate } from "../domain/currency.js";
import type { ExchangeRateService } from "../collection/exchange-rates.js";
import { requireAdmin } from "./authorization.js";

export class ExchangeRates {
  constructor(private readonly rates: ExchangeRateService) {}

  /** Stores the rates; returns what was stored. */
  async set(auth: Authentication, rates: unknown): Promise<ExchangeRate[]> {
    requireAdmin(auth);
    return this.rates.setExchangeRates(rates);
  }
}
