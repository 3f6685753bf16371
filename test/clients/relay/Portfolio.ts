import { graphql } from "./graphql-tag.js";

/** Every client the caller may read, paged forward, each with its card. */
export const PortfolioFragment = graphql`
  fragment Portfolio_query on Query
  @refetchable(queryName: "PortfolioPaginationQuery")
  @argumentDefinitions(
    period: { type: "DateRangeInput!" }
    count: { type: "Int", defaultValue: 20 }
    cursor: { type: "String" }
  ) {
    clients(first: $count, after: $cursor) @connection(key: "Portfolio_clients") {
      totalCount
      edges {
        node {
          id
          ...ClientSummaryCard_client @arguments(period: $period)
        }
      }
    }
  }
`;
