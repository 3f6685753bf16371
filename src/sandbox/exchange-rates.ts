/** The sandbox's fixed rates: EUR, USD and GBP pairs for every month of 2025-2027. */
export const SANDBOX_EXCHANGE_RATES_FILE = new URL("./exchange-rates.json", import.meta.url);
