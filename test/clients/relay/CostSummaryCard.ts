import { graphql } from "./graphql-tag.js";

/** A period's totals: a Node of its own, keyed by client, period and filter. */
export const CostSummaryCardFragment = graphql`
  fragment CostSummaryCard_summary on CostSummary @refetchable(queryName: "CostSummaryCardRefetchQuery") {
    id
    period {
      start
      end
    }
    total {
      amount
      currency
    }
    previousTotal {
      amount
      currency
    }
    changePercent
    byProvider {
      provider
      cost {
        amount
        currency
      }
    }
  }
`;
