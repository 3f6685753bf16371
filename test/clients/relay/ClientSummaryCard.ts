import { graphql } from "./graphql-tag.js";

/** A client's card: its totals of a period and its cloud links. */
export const ClientSummaryCardFragment = graphql`
  fragment ClientSummaryCard_client on Client
  @refetchable(queryName: "ClientSummaryCardRefetchQuery")
  @argumentDefinitions(period: { type: "DateRangeInput!" }) {
    id
    name
    reportingCurrency
    costSummary(period: $period) {
      ...CostSummaryCard_summary
    }
    connections {
      ...ProviderConnectionItem_connection
    }
  }
`;
